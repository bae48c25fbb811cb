// CRC-32 with the reflected IEEE 802.3 polynomial 0xEDB88320 (the one zip and PNG use), so a
// weight file's checksum can be cross-checked with any standard tool.
//
// Slicing-by-8 (Kounavis and Berry, Intel, 2005): eight tables fold eight bytes per step
// instead of one, about four times the byte-at-a-time speed. Every load checks a whole weight
// file (14 MB for the classifier), and the fuzz targets check each input several times.
#include "model/weight-format.h"

#include <array>
#include <cstring>

namespace mnv2 {
namespace {

using CrcTables = std::array<std::array<uint32_t, 256>, 8>;

// tables[0] is the classic byte table; tables[k][b] is the CRC of byte b followed by k zeros.
CrcTables make_crc_tables() {
  CrcTables tables{};
  for (uint32_t byte = 0; byte < 256; ++byte) {
    uint32_t crc = byte;
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ ((crc & 1u) ? 0xEDB88320u : 0u);
    tables[0][byte] = crc;
  }
  for (size_t k = 1; k < tables.size(); ++k) {
    for (uint32_t byte = 0; byte < 256; ++byte) {
      const uint32_t previous = tables[k - 1][byte];
      tables[k][byte] = (previous >> 8) ^ tables[0][previous & 0xFFu];
    }
  }
  return tables;
}

// Four bytes as the little-endian number they are in the file (and in WASM memory; the
// native builds are little-endian x86 and ARM, as the loader's header reads assume too).
inline uint32_t load_u32(const uint8_t* p) {
  uint32_t value;
  std::memcpy(&value, p, sizeof value);
  return value;
}

}  // namespace

uint32_t crc32(const uint8_t* data, uint64_t size) {
  static const CrcTables t = make_crc_tables();
  uint32_t crc = 0xFFFFFFFFu;
  for (; size >= 8; data += 8, size -= 8) {
    const uint32_t low = crc ^ load_u32(data);
    const uint32_t high = load_u32(data + 4);
    crc = t[7][low & 0xFFu] ^ t[6][(low >> 8) & 0xFFu] ^ t[5][(low >> 16) & 0xFFu] ^
          t[4][low >> 24] ^ t[3][high & 0xFFu] ^ t[2][(high >> 8) & 0xFFu] ^
          t[1][(high >> 16) & 0xFFu] ^ t[0][high >> 24];
  }
  for (; size > 0; ++data, --size) crc = t[0][(crc ^ *data) & 0xFFu] ^ (crc >> 8);
  return crc ^ 0xFFFFFFFFu;
}

}  // namespace mnv2
