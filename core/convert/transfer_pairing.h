// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// How both template transfers (PyTorch -> Keras and Keras -> PyTorch) pair the source's units with
// the template's: the user's mapping first, then the remaining units of both sides in order.
#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace ws::convert {

struct TransferPairing {
    std::vector<std::pair<std::size_t, std::size_t>> pairs;  // (source index, template index)
    std::size_t explicitCount = 0;  // the first pairs came from the mapping
};

// `find(source name, template name)` gives the indices a mapping entry names (and throws when a
// side has no such unit). A unit paired twice is refused. When the units left over differ in
// number, throws FormatError(describeLeftovers(leftover sources, leftover templates)).
TransferPairing pairUnits(
    std::size_t sourceCount, std::size_t templateCount,
    const std::map<std::string, std::string>& mapping,
    const std::function<std::pair<std::size_t, std::size_t>(const std::string&,
                                                            const std::string&)>& find,
    const std::function<std::string(const std::vector<std::size_t>&,
                                    const std::vector<std::size_t>&)>& describeLeftovers);

// "a, b, c" for messages.
std::string joinedNames(const std::vector<std::string>& names);

}  // namespace ws::convert
