// libpng's simplified png_image API for pairmatch. Format and version macros re-exposed as functions.
#ifndef PAIRMATCH_CPNG_SHIM_H
#define PAIRMATCH_CPNG_SHIM_H
#include <png.h>

static inline png_uint_32 pm_png_image_version(void) { return PNG_IMAGE_VERSION; }
static inline png_uint_32 pm_png_format_rgb(void) { return PNG_FORMAT_RGB; }
static inline png_uint_32 pm_png_format_rgba(void) { return PNG_FORMAT_RGBA; }
static inline png_uint_32 pm_png_format_gray(void) { return PNG_FORMAT_GRAY; }
static inline png_uint_32 pm_png_format_ga(void) { return PNG_FORMAT_GA; }
static inline png_uint_32 pm_png_format_linear_y(void) { return PNG_FORMAT_LINEAR_Y; }
static inline png_uint_32 pm_png_format_rgb_colormap(void) { return PNG_FORMAT_RGB_COLORMAP; }
static inline png_uint_32 pm_png_format_flag_alpha(void) { return PNG_FORMAT_FLAG_ALPHA; }
static inline png_uint_32 pm_png_image_flag_16bit_srgb(void) { return PNG_IMAGE_FLAG_16BIT_sRGB; }
static inline int pm_png_image_failed(png_imagep image) { return PNG_IMAGE_FAILED(*image); }
static inline size_t pm_png_image_size(png_image image) { return PNG_IMAGE_SIZE(image); }
#endif
