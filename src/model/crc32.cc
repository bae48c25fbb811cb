// CRC-32 with the reflected IEEE 802.3 polynomial 0xEDB88320 (the one zip and PNG use), so a
// weight file's checksum can be cross-checked with any standard tool.
#include "model/weight-format.h"

#include <array>

namespace mnv2 {
namespace {

std::array<uint32_t, 256> make_crc_table() {
  std::array<uint32_t, 256> table{};
  for (uint32_t byte = 0; byte < 256; ++byte) {
    uint32_t crc = byte;
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ ((crc & 1u) ? 0xEDB88320u : 0u);
    table[byte] = crc;
  }
  return table;
}

}  // namespace

uint32_t crc32(const uint8_t* data, uint64_t size) {
  static const std::array<uint32_t, 256> table = make_crc_table();
  uint32_t crc = 0xFFFFFFFFu;
  for (uint64_t i = 0; i < size; ++i) crc = table[(crc ^ data[i]) & 0xFFu] ^ (crc >> 8);
  return crc ^ 0xFFFFFFFFu;
}

}  // namespace mnv2
