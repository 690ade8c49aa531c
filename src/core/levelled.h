/* Included first (the compiler's -include) in every file compiled once per CPU level (see
 * cpu.h and CMakeLists.txt's OPC_LEVELLED_SOURCES): each of their external names becomes
 * NAME_<level>, so the copies link side by side; the callers outside pick a copy by
 * opc_cpu_level() (src/engine/kernel_select.c, src/decode/paf/levels.c). A name missing
 * here is defined once per level under the same name: the link fails. */
#ifndef OPC_CORE_LEVELLED_H
#define OPC_CORE_LEVELLED_H

#ifndef OPC_LEVEL_TAG
#error "compiled once per CPU level: the build defines OPC_LEVEL_TAG"
#endif
#define OPC_LEVEL_JOIN2(name, tag) name##_##tag
#define OPC_LEVEL_JOIN(name, tag) OPC_LEVEL_JOIN2(name, tag)
#define OPC_LEVELLED(name) OPC_LEVEL_JOIN(name, OPC_LEVEL_TAG)

/* src/engine/kernel_tables.c */
#define opc_kernel_select OPC_LEVELLED(opc_kernel_select)

/* src/engine/fast/ */
#define opc_depthwise_fits OPC_LEVELLED(opc_depthwise_fits)
#define opc_depthwise_scratch OPC_LEVELLED(opc_depthwise_scratch)
#define opc_fast_conv_depthwise OPC_LEVELLED(opc_fast_conv_depthwise)
#define opc_conv1x1_fits OPC_LEVELLED(opc_conv1x1_fits)
#define opc_fast_conv1x1 OPC_LEVELLED(opc_fast_conv1x1)
#define opc_conv1x1_gemm_fits OPC_LEVELLED(opc_conv1x1_gemm_fits)
#define opc_fast_conv1x1_gemm OPC_LEVELLED(opc_fast_conv1x1_gemm)
#define opc_im2col_scratch OPC_LEVELLED(opc_im2col_scratch)
#define opc_fast_conv_im2col OPC_LEVELLED(opc_fast_conv_im2col)
#define opc_im2col_gemm_fits OPC_LEVELLED(opc_im2col_gemm_fits)
#define opc_im2col_gemm_scratch OPC_LEVELLED(opc_im2col_gemm_scratch)
#define opc_fast_conv_im2col_gemm OPC_LEVELLED(opc_fast_conv_im2col_gemm)
#define opc_gemm_weights_packed_floats OPC_LEVELLED(opc_gemm_weights_packed_floats)
#define opc_gemm_weights_pack OPC_LEVELLED(opc_gemm_weights_pack)
#define opc_pointwise_fits OPC_LEVELLED(opc_pointwise_fits)
#define opc_pointwise_packed_floats OPC_LEVELLED(opc_pointwise_packed_floats)
#define opc_pointwise_pack OPC_LEVELLED(opc_pointwise_pack)
#define opc_fast_conv_pointwise OPC_LEVELLED(opc_fast_conv_pointwise)
#define opc_conv_rows_fits OPC_LEVELLED(opc_conv_rows_fits)
#define opc_conv_rows_scratch OPC_LEVELLED(opc_conv_rows_scratch)
#define opc_fast_conv_rows OPC_LEVELLED(opc_fast_conv_rows)
#define opc_winograd_fits OPC_LEVELLED(opc_winograd_fits)
#define opc_winograd_scratch OPC_LEVELLED(opc_winograd_scratch)
#define opc_fast_conv_winograd OPC_LEVELLED(opc_fast_conv_winograd)
#define opc_winograd_phases_fits OPC_LEVELLED(opc_winograd_phases_fits)
#define opc_winograd_phases_scratch OPC_LEVELLED(opc_winograd_phases_scratch)
#define opc_fast_conv_winograd_phases OPC_LEVELLED(opc_fast_conv_winograd_phases)
#define opc_wino_build OPC_LEVELLED(opc_wino_build)
#define opc_wino_op_build OPC_LEVELLED(opc_wino_op_build)
#define opc_fast_act OPC_LEVELLED(opc_fast_act)
#define opc_fast_add OPC_LEVELLED(opc_fast_add)
#define opc_fast_affine OPC_LEVELLED(opc_fast_affine)
#define opc_fast_instance_norm OPC_LEVELLED(opc_fast_instance_norm)
#define opc_padded_row OPC_LEVELLED(opc_padded_row)
#define opc_rows_fit OPC_LEVELLED(opc_rows_fit)
#define opc_rows_geometry_of OPC_LEVELLED(opc_rows_geometry_of)
#define opc_rows_init OPC_LEVELLED(opc_rows_init)
#define opc_fast_maxpool OPC_LEVELLED(opc_fast_maxpool)
#define opc_fast_fake_quantize OPC_LEVELLED(opc_fast_fake_quantize)
#define opc_fast_resize_bilinear OPC_LEVELLED(opc_fast_resize_bilinear)
#define opc_resize_scratch OPC_LEVELLED(opc_resize_scratch)
#define opc_resize_bilinear_fits OPC_LEVELLED(opc_resize_bilinear_fits)
#define opc_fast_resize_nearest OPC_LEVELLED(opc_fast_resize_nearest)

/* src/decode/paf/: the files with SIMD paths (levels.c dispatches each function) */
#define opc_candidates_free OPC_LEVELLED(opc_candidates_free)
#define opc_candidates_score OPC_LEVELLED(opc_candidates_score)
#define opc_paf_live_cells OPC_LEVELLED(opc_paf_live_cells)
#define opc_paf_num_samples OPC_LEVELLED(opc_paf_num_samples)
#define opc_paf_score OPC_LEVELLED(opc_paf_score)
#define opc_cubic_at2 OPC_LEVELLED(opc_cubic_at2)
#define opc_cubic_block OPC_LEVELLED(opc_cubic_block)
#define opc_cubic_cols OPC_LEVELLED(opc_cubic_cols)
#define opc_cubic_cols_spans OPC_LEVELLED(opc_cubic_cols_spans)
#define opc_cubic_free OPC_LEVELLED(opc_cubic_free)
#define opc_cubic_init OPC_LEVELLED(opc_cubic_init)
#define opc_cubic_rows OPC_LEVELLED(opc_cubic_rows)
#define opc_maps_resize_merge OPC_LEVELLED(opc_maps_resize_merge)
#define opc_merge_channels OPC_LEVELLED(opc_merge_channels)
#define opc_merge_free OPC_LEVELLED(opc_merge_free)
#define opc_merge_init OPC_LEVELLED(opc_merge_init)
#define opc_heatmap_peaks OPC_LEVELLED(opc_heatmap_peaks)
#define opc_nms_band OPC_LEVELLED(opc_nms_band)
#define opc_peaks_alloc OPC_LEVELLED(opc_peaks_alloc)
#define opc_peaks_free OPC_LEVELLED(opc_peaks_free)

#endif
