/* Test-only shim for running the Windows build under Debian's Wine 8 in CI.
 * Rust's standard library (1.78+) takes random bytes from ProcessPrng in
 * bcryptprimitives.dll, which Wine 8 does not have; Windows 10 and later do.
 * This DLL forwards it to RtlGenRandom (advapi32 SystemFunction036). It is
 * never shipped: only copied into the throwaway Wine prefix of .ci/run. */
#include <windows.h>
BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);
__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length) {
    while (length > 0) {
        ULONG chunk = length > 0x7fffffff ? 0x7fffffff : (ULONG)length;
        if (!SystemFunction036(data, chunk)) return FALSE;
        data += chunk; length -= chunk;
    }
    return TRUE;
}
