// A detector's part of the NetworkDescription: SSDLite's feature maps (block 13's expansion
// and the head conv output, kept whole), its extra layers and, on every map, a box and a class
// predictor, all as stages (see network-description.h and model/ssdlite.h). Channel counts and
// the number of extra layers are read from the tensors' shapes and checked against each other;
// anchors per cell come from the anchor parameters the file carries.
#pragma once

#include <string>

#include "graph/network-description.h"

namespace mnv2 {

// Appends the detector to a described backbone; false with a message naming what is wrong.
bool describe_ssd_head(const WeightFileView& file, NetworkDescription* network,
                       std::string* error);

}  // namespace mnv2
