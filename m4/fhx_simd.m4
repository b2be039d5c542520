# FHX_SIMD_CHECKS
# Which SIMD kernels this build compiles in. Each kernel is its own file,
# built with only its own ISA flags; the library picks one at run time
# (src/isa.c), so building a kernel never makes the library require its CPU.
#   AVX2_CFLAGS, AVX512_CFLAGS   the flags of each x86-64 kernel
#   KERNEL_CPPFLAGS              -DFHX_KERNEL_<ISA>=1 for each one built
#   FHX_KERNEL_AVX2, FHX_KERNEL_AVX512, FHX_KERNEL_NEON   (conditionals)
# --disable-simd builds the scalar kernel only.
AC_DEFUN([FHX_SIMD_CHECKS], [
  AC_REQUIRE([AC_CANONICAL_HOST])
  AC_ARG_ENABLE([simd],
    [AS_HELP_STRING([--disable-simd],
                    [build only the portable scalar kernel])],
    [], [enable_simd=yes])
  fhx_avx2=no
  fhx_avx512=no
  fhx_neon=no
  AVX2_CFLAGS="-mavx2"
  AVX512_CFLAGS="-mavx512f -mavx512bw -mavx512vbmi"
  AS_IF([test "x$enable_simd" != xno], [
    AS_CASE([$host_cpu],
      [x86_64|amd64], [
        FHX_CHECK_INTRINSIC([AVX2], [$AVX2_CFLAGS],
          [__m256i v = _mm256_shuffle_epi8(_mm256_set1_epi8(1),
                                           _mm256_set1_epi8(2));
           return _mm256_movemask_epi8(v);],
          [fhx_avx2=yes])
        FHX_CHECK_INTRINSIC([AVX-512 VBMI], [$AVX512_CFLAGS],
          [__m512i v = _mm512_permutexvar_epi8(_mm512_set1_epi8(1),
                                               _mm512_set1_epi8(2));
           v = _mm512_multishift_epi64_epi8(v, v);
           return (int)_mm512_cmpeq_epi8_mask(v, v);],
          [fhx_avx512=yes])],
      [aarch64], [
        AC_MSG_CHECKING([for NEON (aarch64 AdvSIMD)])
        AC_COMPILE_IFELSE([AC_LANG_PROGRAM([[#include <arm_neon.h>]],
          [[uint8x16_t v = vdupq_n_u8(1); return vgetq_lane_u8(v, 0);]])],
          [fhx_neon=yes], [fhx_neon=no])
        AC_MSG_RESULT([$fhx_neon])])
  ])
  KERNEL_CPPFLAGS=""
  AS_IF([test $fhx_avx2 = yes], [KERNEL_CPPFLAGS="$KERNEL_CPPFLAGS -DFHX_KERNEL_AVX2=1"])
  AS_IF([test $fhx_avx512 = yes], [KERNEL_CPPFLAGS="$KERNEL_CPPFLAGS -DFHX_KERNEL_AVX512=1"])
  AS_IF([test $fhx_neon = yes], [KERNEL_CPPFLAGS="$KERNEL_CPPFLAGS -DFHX_KERNEL_NEON=1"])
  AC_SUBST([AVX2_CFLAGS])
  AC_SUBST([AVX512_CFLAGS])
  AC_SUBST([KERNEL_CPPFLAGS])
  AM_CONDITIONAL([FHX_KERNEL_AVX2], [test $fhx_avx2 = yes])
  AM_CONDITIONAL([FHX_KERNEL_AVX512], [test $fhx_avx512 = yes])
  AM_CONDITIONAL([FHX_KERNEL_NEON], [test $fhx_neon = yes])
])

# FHX_CHECK_INTRINSIC(NAME, FLAGS, BODY, [ACTION-IF-OK])
# Does a program using these intrinsics compile and link with FLAGS?
AC_DEFUN([FHX_CHECK_INTRINSIC], [
  AC_MSG_CHECKING([whether $CC compiles $1 intrinsics with $2])
  fhx_save_CFLAGS=$CFLAGS
  CFLAGS="$CFLAGS $2"
  AC_LINK_IFELSE([AC_LANG_PROGRAM([[#include <immintrin.h>]], [[$3]])],
    [fhx_ok=yes], [fhx_ok=no])
  CFLAGS=$fhx_save_CFLAGS
  AC_MSG_RESULT([$fhx_ok])
  AS_IF([test $fhx_ok = yes], [$4])
])
