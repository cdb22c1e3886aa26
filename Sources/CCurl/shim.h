// Typed wrappers for libcurl's variadic functions.
//
// Swift cannot call C variadic functions such as curl_easy_setopt, so each argument type we
// need gets a small `static inline` function with a fixed signature. A system-library target
// cannot hold .c files, which is why everything here is inline. Only CurlHTTP imports this.
#ifndef CCURL_SHIM_H
#define CCURL_SHIM_H

// The GCC type-checking macros only apply to direct calls from C; our calls are already typed.
#define CURL_DISABLE_TYPECHECK 1
#include <curl/curl.h>

/// `CURLOPT_WRITEFUNCTION` and `CURLOPT_HEADERFUNCTION` share this signature.
typedef size_t (*ccurl_data_callback)(char *ptr, size_t size, size_t nmemb, void *userdata);

static inline CURLcode ccurl_global_init_all(void) { return curl_global_init(CURL_GLOBAL_ALL); }

// MARK: curl_easy_setopt

static inline CURLcode ccurl_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode ccurl_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}
/// curl copies string arguments (except CURLOPT_POSTFIELDS), so `value` may be freed afterwards.
static inline CURLcode ccurl_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode ccurl_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode ccurl_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode ccurl_setopt_data_callback(CURL *handle, CURLoption option, ccurl_data_callback value) {
    return curl_easy_setopt(handle, option, value);
}

// MARK: curl_easy_getinfo

static inline CURLcode ccurl_getinfo_long(CURL *handle, CURLINFO info, long *out) {
    return curl_easy_getinfo(handle, info, out);
}
static inline CURLcode ccurl_getinfo_double(CURL *handle, CURLINFO info, double *out) {
    return curl_easy_getinfo(handle, info, out);
}
static inline CURLcode ccurl_getinfo_off_t(CURL *handle, CURLINFO info, curl_off_t *out) {
    return curl_easy_getinfo(handle, info, out);
}

// MARK: curl_multi

static inline CURLMcode ccurl_multi_setopt_long(CURLM *multi, CURLMoption option, long value) {
    return curl_multi_setopt(multi, option, value);
}

/// Reads the next finished transfer from the multi handle, hiding CURLMsg's anonymous union.
/// Returns 1 and fills `easy` and `result` when a transfer is done, 0 when no message is left.
static inline int ccurl_multi_next_done(CURLM *multi, CURL **easy, CURLcode *result) {
    int remaining = 0;
    CURLMsg *message;
    while ((message = curl_multi_info_read(multi, &remaining)) != NULL) {
        if (message->msg == CURLMSG_DONE) {
            *easy = message->easy_handle;
            *result = message->data.result;
            return 1;
        }
    }
    return 0;
}

#endif
