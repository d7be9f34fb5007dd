// SPDX-License-Identifier: GPL-3.0-or-later
#include "convert/transfer_pairing.h"

#include "model/error.h"

namespace ws::convert {

TransferPairing pairUnits(
    std::size_t sourceCount, std::size_t templateCount,
    const std::map<std::string, std::string>& mapping,
    const std::function<std::pair<std::size_t, std::size_t>(const std::string&,
                                                            const std::string&)>& find,
    const std::function<std::string(const std::vector<std::size_t>&,
                                    const std::vector<std::size_t>&)>& describeLeftovers) {
    TransferPairing out;
    std::vector<bool> usedFrom(sourceCount), usedTo(templateCount);
    for (const auto& [src, dst] : mapping) {
        const auto [i, j] = find(src, dst);
        if (usedFrom[i] || usedTo[j])
            throw FormatError("mapping: '" + src + "' -> '" + dst +
                              "' reuses a layer already paired");
        usedFrom[i] = usedTo[j] = true;
        out.pairs.emplace_back(i, j);
    }
    out.explicitCount = out.pairs.size();
    std::vector<std::size_t> restFrom, restTo;
    for (std::size_t i = 0; i < sourceCount; ++i)
        if (!usedFrom[i]) restFrom.push_back(i);
    for (std::size_t j = 0; j < templateCount; ++j)
        if (!usedTo[j]) restTo.push_back(j);
    if (restFrom.size() != restTo.size()) throw FormatError(describeLeftovers(restFrom, restTo));
    for (std::size_t k = 0; k < restFrom.size(); ++k)
        out.pairs.emplace_back(restFrom[k], restTo[k]);
    return out;
}

std::string joinedNames(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& s : names) out += (out.empty() ? "" : ", ") + s;
    return out;
}

}  // namespace ws::convert
