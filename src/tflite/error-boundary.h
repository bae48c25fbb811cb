// How the reader and the converters keep their promise never to throw: their checks throw one
// exception type (the reader's ReadError, the converters' ConvertError) from wherever a problem
// is found, and the API function turns it, a failed allocation, or anything else into the
// error message of the result it returns.
#pragma once

#include <exception>
#include <new>
#include <string>

namespace mnv2::tflite {

// Returns work()'s result, or a default Result whose `error` says what work() threw: an Error's
// message as it is; running out of memory, and any other exception (not expected: every check
// throws Error, so this is a bug surfacing as a message rather than std::terminate in a fuzzer
// or the CLI), with `task` ("reading the TFLite model") in the message.
template <typename Error, typename Result, typename Work>
Result reporting_errors(const char* task, Work&& work) {
  Result failed;
  try {
    return work();
  } catch (const Error& e) {
    failed.error = e.what();
  } catch (const std::bad_alloc&) {
    failed.error = std::string("out of memory while ") + task;
  } catch (const std::exception& e) {
    failed.error = std::string("internal error while ") + task + ": " + e.what();
  }
  return failed;
}

}  // namespace mnv2::tflite
