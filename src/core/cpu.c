/* Choosing the CPU level (see cpu.h): the CPU's features from cpuid, the OS's support for
 * the AVX and AVX-512 registers from XCR0 (a CPU may have AVX-512 that the OS does not
 * save on a context switch), then OPENPOSE_C_CPU. */
#include "core/cpu.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#if !OPC_NATIVE_BUILD && (defined(__x86_64__) || defined(__i386__))
#include <cpuid.h>
#define OPC_CPU_X86 1
#endif

#if OPC_NATIVE_BUILD
static const char *const NAMES[OPC_CPU_LEVELS] = {"native"};
#else
static const char *const NAMES[OPC_CPU_LEVELS] = {"baseline", "avx2", "avx512"};
#endif

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int supported, env_problem; /* env_problem: 0 none, 1 unknown name, 2 too high */
static atomic_int level;
static char env_value[32];

#ifdef OPC_CPU_X86
static int has(unsigned reg, int bit) { return (int)(reg >> bit & 1u); }

static int detect(void)
{
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d))
        return OPC_CPU_BASELINE;
    /* AVX state saved by the OS (OSXSAVE, then XCR0 bits 1-2; AVX-512 adds 5-7). */
    if (!has(c, 27))
        return OPC_CPU_BASELINE;
    unsigned xlo, xhi;
    __asm__ volatile("xgetbv" : "=a"(xlo), "=d"(xhi) : "c"(0));
    int v3 = has(c, 12) && has(c, 22) && has(c, 28) && has(c, 29) && (xlo & 0x6u) == 0x6u;
    unsigned c1 = c;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d))
        return OPC_CPU_BASELINE;
    v3 = v3 && has(b, 3) && has(b, 5) && has(b, 8) && has(c1, 23);
    unsigned ea, eb, ec, ed;
    v3 = v3 && __get_cpuid(0x80000001u, &ea, &eb, &ec, &ed) && has(ec, 5); /* LZCNT */
    if (!v3)
        return OPC_CPU_BASELINE;
    int v4 = has(b, 16) && has(b, 17) && has(b, 28) && has(b, 30) && has(b, 31) &&
             (xlo & 0xe6u) == 0xe6u;
    return v4 ? OPC_CPU_AVX512 : OPC_CPU_AVX2;
}
#else
static int detect(void) { return 0; }
#endif

static void choose(void)
{
    supported = detect();
    int chosen = supported;
    const char *env = getenv("OPENPOSE_C_CPU");
    if (env && *env) {
        int want = -1;
        for (int i = 0; i < OPC_CPU_LEVELS; i++)
            if (!strcmp(env, NAMES[i]))
                want = i;
        size_t n = strlen(env) < sizeof env_value - 1 ? strlen(env) : sizeof env_value - 1;
        memcpy(env_value, env, n);
        if (want < 0)
            env_problem = 1;
        else if (want > supported)
            env_problem = 2;
        else
            chosen = want;
    }
    atomic_store(&level, chosen);
}

int opc_cpu_level(void)
{
    pthread_once(&once, choose);
    return atomic_load_explicit(&level, memory_order_relaxed);
}

int opc_cpu_level_supported(void)
{
    pthread_once(&once, choose);
    return supported;
}

const char *opc_cpu_level_name(int l)
{
    return l >= 0 && l < OPC_CPU_LEVELS ? NAMES[l] : "?";
}

int opc_cpu_check(opc_error *err)
{
    pthread_once(&once, choose);
    if (env_problem == 1) {
        char names[64] = "";
        for (int i = 0; i < OPC_CPU_LEVELS; i++) {
            strcat(names, i ? ", " : "");
            strcat(names, NAMES[i]);
        }
        return opc_fail(err, OPC_ERR_ARG, "OPENPOSE_C_CPU=%s: not one of %s", env_value, names);
    }
    if (env_problem == 2)
        return opc_fail(err, OPC_ERR_UNSUPPORTED,
                        "OPENPOSE_C_CPU=%s: this CPU runs at most %s", env_value,
                        NAMES[supported]);
    return OPC_OK;
}

int opc_cpu_force_level(int l)
{
    pthread_once(&once, choose);
    if (l < 0 || l > supported)
        return OPC_ERR_UNSUPPORTED;
    atomic_store(&level, l);
    return OPC_OK;
}
