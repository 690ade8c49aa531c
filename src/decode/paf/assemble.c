/* People from candidate connections: OpenPose's two assemblies (bodyPartConnectorBase).
 *
 * Sequential (its CPU build, createPeopleVector): limbs in pair order. A limb with peaks on
 * one side only turns each of them that no person holds yet into a one-part person. A limb
 * with peaks on both sides takes its connections best first (score, then peak indices,
 * highest first), each peak at most once, at most min(nA, nB) of them (a greedy bipartite
 * matching). A fill-only limb then only fills the missing end of people that hold the
 * other end (uncounted, unscored). Any other limb adds B to the first person holding A
 * (counting it and adding its peak and connection scores) or starts a two-part person.
 * People are never merged. (OpenPose sets B even when that person already has one, and
 * counts it again; with the built-in topologies, trees listed from the neck outwards, a
 * person never has B at that point.)
 * OpenPose's MPI-15 branch adds one-part people even for peaks someone already holds;
 * here every topology uses the rule above (it only matters with min_parts <= 1).
 *
 * Global (its CUDA build, pafPtrIntoVector + pafVectorIntoPeopleVector): the connections
 * of all limbs sorted together by score + 0.1 (score of A + score of B), then by score,
 * limb and peak indices, highest first; with no per-limb matching. Each connection either
 * starts a person (both ends free), adds its free end to the person holding the other end
 * (if that person lacks the part), adds its score to a person holding both ends, or merges
 * the two people holding its ends when they share no part. Fill-only limbs are ordinary
 * limbs here, and lone peaks never become people. Checked against OpenPose's source: the
 * global assembly has no per-limb matching step. */
#include <stdlib.h>
#include <string.h>

#include "openpose-c/error.h"
#include "decode/paf/parser.h"

void opc_assembly_free(opc_assembly_result *r)
{
    free(r->part);
    free(r->counter);
    free(r->score);
    memset(r, 0, sizeof *r);
}

/* Appends an empty person; returns its index or -1 when out of memory. */
static int new_person(opc_assembly_result *r)
{
    if (r->count == r->cap) {
        int cap = r->cap ? 2 * r->cap : 64;
        int *part = realloc(r->part, (size_t)cap * r->num_parts * sizeof *part);
        if (part)
            r->part = part;
        int *counter = realloc(r->counter, (size_t)cap * sizeof *counter);
        if (counter)
            r->counter = counter;
        float *score = realloc(r->score, (size_t)cap * sizeof *score);
        if (score)
            r->score = score;
        if (!part || !counter || !score)
            return -1;
        r->cap = cap;
    }
    int i = r->count++;
    for (int k = 0; k < r->num_parts; k++)
        r->part[(size_t)i * r->num_parts + k] = -1;
    r->counter[i] = 0;
    r->score[i] = 0;
    return i;
}

static inline int *parts_of(opc_assembly_result *r, int i)
{
    return r->part + (size_t)i * r->num_parts;
}

static inline float peak_score(const opc_peaks *pk, int part, int i)
{
    return pk->peak[(size_t)part * pk->max_peaks + i].score;
}

static int cmp_conn_desc(const void *pa, const void *pb)
{
    const opc_conn *a = pa, *b = pb;
    if (a->score != b->score)
        return a->score < b->score ? 1 : -1;
    if (a->a != b->a)
        return a->a < b->a ? 1 : -1;
    return (a->b < b->b) - (a->b > b->b);
}

/* One-part people for the peaks of `part` that nobody holds (a limb with one empty side). */
static int add_lone_peaks(opc_assembly_result *r, const opc_peaks *pk, int part)
{
    for (int i = 0; i < pk->count[part]; i++) {
        int held = 0;
        for (int p = 0; p < r->count && !held; p++)
            held = parts_of(r, p)[part] == i;
        if (held)
            continue;
        int p = new_person(r);
        if (p < 0)
            return OPC_ERR_NOMEM;
        parts_of(r, p)[part] = i;
        r->counter[p] = 1;
        r->score[p] = peak_score(pk, part, i);
    }
    return OPC_OK;
}

/* Greedy bipartite matching of one limb's connections, in place; returns how many. */
static int match_limb(opc_conn *c, int n, int na, int nb, unsigned char *used_a,
                      unsigned char *used_b)
{
    qsort(c, (size_t)n, sizeof *c, cmp_conn_desc);
    memset(used_a, 0, (size_t)na);
    memset(used_b, 0, (size_t)nb);
    const int most = na < nb ? na : nb;
    int kept = 0;
    for (int i = 0; i < n && kept < most; i++) {
        if (used_a[c[i].a] || used_b[c[i].b])
            continue;
        used_a[c[i].a] = used_b[c[i].b] = 1;
        c[kept++] = c[i];
    }
    return kept;
}

static int assemble_sequential(const opc_paf_topology *t, const opc_peaks *pk,
                               const opc_candidates *cand, opc_assembly_result *r)
{
    unsigned char *used_a = malloc((size_t)pk->max_peaks);
    unsigned char *used_b = malloc((size_t)pk->max_peaks);
    opc_conn *sel = NULL;
    int rc = used_a && used_b ? OPC_OK : OPC_ERR_NOMEM;
    for (int l = 0; l < t->num_pairs && rc == OPC_OK; l++) {
        const int A = t->pairs[l][0], B = t->pairs[l][1];
        const int na = pk->count[A], nb = pk->count[B];
        if (!na || !nb) {
            if (na || nb)
                rc = add_lone_peaks(r, pk, na ? A : B);
            continue;
        }
        const int nc = cand->count[l];
        if (!nc)
            continue;
        opc_conn *s = realloc(sel, (size_t)nc * sizeof *s);
        if (!s) {
            rc = OPC_ERR_NOMEM;
            break;
        }
        sel = s;
        memcpy(sel, cand->conn[l], (size_t)nc * sizeof *sel);
        const int n = match_limb(sel, nc, na, nb, used_a, used_b);
        for (int i = 0; i < n && rc == OPC_OK; i++) {
            const opc_conn *c = &sel[i];
            if (t->pair_fill_only[l]) {
                for (int p = 0; p < r->count; p++) {
                    int *q = parts_of(r, p);
                    if (q[A] == c->a && q[B] < 0)
                        q[B] = c->b;
                    else if (q[B] == c->b && q[A] < 0)
                        q[A] = c->a;
                }
                continue;
            }
            int p = 0;
            while (p < r->count && parts_of(r, p)[A] != c->a)
                p++;
            if (p < r->count) {
                parts_of(r, p)[B] = c->b;
                r->counter[p]++;
                r->score[p] += peak_score(pk, B, c->b) + c->score;
            } else if ((p = new_person(r)) < 0) {
                rc = OPC_ERR_NOMEM;
            } else {
                parts_of(r, p)[A] = c->a;
                parts_of(r, p)[B] = c->b;
                r->counter[p] = 2;
                r->score[p] = peak_score(pk, A, c->a) + peak_score(pk, B, c->b) + c->score;
            }
        }
    }
    free(used_a);
    free(used_b);
    free(sel);
    return rc;
}

typedef struct {
    float total, score;
    int limb, a, b;
} global_conn;

static int cmp_global_desc(const void *pa, const void *pb)
{
    const global_conn *a = pa, *b = pb;
    if (a->total != b->total)
        return a->total < b->total ? 1 : -1;
    if (a->score != b->score)
        return a->score < b->score ? 1 : -1;
    if (a->limb != b->limb)
        return a->limb < b->limb ? 1 : -1;
    if (a->a != b->a)
        return a->a < b->a ? 1 : -1;
    return (a->b < b->b) - (a->b > b->b);
}

static int assemble_global(const opc_paf_topology *t, const opc_peaks *pk,
                           const opc_candidates *cand, opc_assembly_result *r)
{
    size_t n = 0;
    for (int l = 0; l < t->num_pairs; l++)
        n += (size_t)cand->count[l];
    const size_t slots = (size_t)t->num_parts * pk->max_peaks;
    global_conn *all = malloc((n ? n : 1) * sizeof *all);
    int *owner = malloc(slots * sizeof *owner);      /* person holding (part, peak), or -1 */
    unsigned char *gone = NULL;                      /* people merged into another */
    if (!all || !owner) {
        free(all);
        free(owner);
        return OPC_ERR_NOMEM;
    }
    n = 0;
    for (int l = 0; l < t->num_pairs; l++) {
        const int A = t->pairs[l][0], B = t->pairs[l][1];
        for (int i = 0; i < cand->count[l]; i++) {
            const opc_conn *c = &cand->conn[l][i];
            all[n++] = (global_conn){c->score + 0.1f * peak_score(pk, A, c->a) +
                                         0.1f * peak_score(pk, B, c->b),
                                     c->score, l, c->a, c->b};
        }
    }
    qsort(all, n, sizeof *all, cmp_global_desc);
    for (size_t i = 0; i < slots; i++)
        owner[i] = -1;
    int rc = OPC_OK;
    for (size_t i = 0; i < n && rc == OPC_OK; i++) {
        const global_conn *c = &all[i];
        const int A = t->pairs[c->limb][0], B = t->pairs[c->limb][1];
        int *oa = &owner[(size_t)A * pk->max_peaks + c->a];
        int *ob = &owner[(size_t)B * pk->max_peaks + c->b];
        if (*oa < 0 && *ob < 0) {
            int p = new_person(r);
            unsigned char *g = realloc(gone, (size_t)r->cap);
            if (p < 0 || !g) {
                if (g)
                    gone = g;
                rc = OPC_ERR_NOMEM;
                break;
            }
            gone = g;
            gone[p] = 0;
            parts_of(r, p)[A] = c->a;
            parts_of(r, p)[B] = c->b;
            r->counter[p] = 2;
            r->score[p] = peak_score(pk, A, c->a) + peak_score(pk, B, c->b) + c->score;
            *oa = *ob = p;
        } else if (*oa < 0 || *ob < 0) {
            const int p = *oa >= 0 ? *oa : *ob;
            const int part2 = *oa >= 0 ? B : A, peak2 = *oa >= 0 ? c->b : c->a;
            int *q = parts_of(r, p);
            if (q[part2] < 0) {
                q[part2] = peak2;
                r->counter[p]++;
                r->score[p] += peak_score(pk, part2, peak2) + c->score;
                *(*oa >= 0 ? ob : oa) = p;
            }
        } else if (*oa == *ob) {
            r->score[*oa] += c->score;
        } else {
            const int p1 = *oa < *ob ? *oa : *ob, p2 = *oa < *ob ? *ob : *oa;
            int *q1 = parts_of(r, p1);
            const int *q2 = parts_of(r, p2);
            int disjoint = 1;
            for (int k = 0; k < t->num_parts && disjoint; k++)
                disjoint = q1[k] < 0 || q2[k] < 0;
            if (!disjoint)
                continue;
            for (int k = 0; k < t->num_parts; k++)
                if (q1[k] < 0)
                    q1[k] = q2[k];
            r->counter[p1] += r->counter[p2];
            r->score[p1] += r->score[p2] + c->score;
            gone[p2] = 1;
            for (size_t s = 0; s < slots; s++)
                if (owner[s] == p2)
                    owner[s] = p1;
        }
    }
    /* Drop the merged-away people, keeping the order of the others (as OpenPose does). */
    if (rc == OPC_OK) {
        int k = 0;
        for (int i = 0; i < r->count; i++) {
            if (gone[i])
                continue;
            if (k != i) {
                memcpy(parts_of(r, k), parts_of(r, i), (size_t)t->num_parts * sizeof(int));
                r->counter[k] = r->counter[i];
                r->score[k] = r->score[i];
            }
            k++;
        }
        r->count = k;
    }
    free(all);
    free(owner);
    free(gone);
    return rc;
}

int opc_assemble(const opc_paf_topology *t, opc_assembly mode, const opc_peaks *pk,
                 const opc_candidates *cand, opc_assembly_result *out, opc_error *err)
{
    memset(out, 0, sizeof *out);
    out->num_parts = t->num_parts;
    int rc = mode == OPC_ASSEMBLY_SEQUENTIAL ? assemble_sequential(t, pk, cand, out)
                                             : assemble_global(t, pk, cand, out);
    if (rc != OPC_OK) {
        opc_assembly_free(out);
        return opc_fail(err, OPC_ERR_NOMEM, "parse: out of memory while assembling people");
    }
    return OPC_OK;
}
