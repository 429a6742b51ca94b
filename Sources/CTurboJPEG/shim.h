// libjpeg-turbo's TurboJPEG API for pairmatch. Pixel-format and flag enums/macros re-exposed as functions.
#ifndef PAIRMATCH_CTURBOJPEG_SHIM_H
#define PAIRMATCH_CTURBOJPEG_SHIM_H
#include <turbojpeg.h>

// Pixel formats (TJPF): interleaved 8-bit samples.
static inline int pm_tjpf_rgb(void) { return TJPF_RGB; }
static inline int pm_tjpf_gray(void) { return TJPF_GRAY; }
static inline int pm_tjpf_cmyk(void) { return TJPF_CMYK; }

// Flags: ACCURATEDCT selects libjpeg's default ISLOW IDCT; STOPONWARNING makes warnings fatal.
static inline int pm_tjflag_accuratedct(void) { return TJFLAG_ACCURATEDCT; }
static inline int pm_tjflag_stoponwarning(void) { return TJFLAG_STOPONWARNING; }

// Error codes (tjGetErrorCode).
static inline int pm_tjerr_fatal(void) { return TJERR_FATAL; }
static inline int pm_tjerr_warning(void) { return TJERR_WARNING; }

// JPEG colorspaces (tjDecompressHeader3's jpegColorspace).
static inline int pm_tjcs_gray(void) { return TJCS_GRAY; }
static inline int pm_tjcs_cmyk(void) { return TJCS_CMYK; }
static inline int pm_tjcs_ycck(void) { return TJCS_YCCK; }

// Chroma subsampling (tjCompress2, used by tests to build JPEGs).
static inline int pm_tjsamp_444(void) { return TJSAMP_444; }
static inline int pm_tjsamp_420(void) { return TJSAMP_420; }
static inline int pm_tjsamp_gray(void) { return TJSAMP_GRAY; }
#endif
