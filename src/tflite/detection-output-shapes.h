// Static shapes for the outputs of TFLite_Detection_PostProcess. Converters leave them empty:
// TFLite's kernel sizes them when it prepares the graph. A runtime that needs every output's
// shape before running (LiteRT.js's compiled model allocates its output buffers first) cannot
// run such a file; with these shapes written in, it can, and the post-process op still runs.
#pragma once

#include <string>

#include "tflite/tflite-reader.h"

namespace mnv2::tflite {

// Sets, for every TFLite_Detection_PostProcess operator, the shapes its kernel gives its four
// outputs: boxes [1, N, 4], classes [1, N], scores [1, N], count [1], with N = max_detections
// * max_classes_per_detection (read from the operator's options). Returns the number of
// operators changed, or -1 with *error set when an operator's options cannot be read.
int set_detection_output_shapes(Graph& graph, std::string* error);

}  // namespace mnv2::tflite
