// SPDX-License-Identifier: GPL-3.0-or-later
#include "edit/region.h"

#include <cerrno>
#include <cstdlib>

#include "model/error.h"
#include "model/tensor.h"

namespace ws {

namespace {

std::string trim(const std::string& s) {
    std::size_t a = 0, b = s.size();
    while (a < b && (s[a] == ' ' || s[a] == '\t')) ++a;
    while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t')) --b;
    return s.substr(a, b - a);
}

std::optional<std::int64_t> parseOptionalInt(const std::string& raw, const std::string& whole) {
    const std::string t = trim(raw);
    if (t.empty()) return std::nullopt;
    char* end = nullptr;
    errno = 0;
    const long long v = std::strtoll(t.c_str(), &end, 10);
    if (end != t.c_str() + t.size() || errno != 0)
        throw FormatError("index '" + t + "' in [" + whole + "] is not an integer");
    return v;
}

std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    for (;;) {
        const std::size_t at = s.find(sep, start);
        parts.push_back(s.substr(start, at == std::string::npos ? at : at - start));
        if (at == std::string::npos) return parts;
        start = at + 1;
    }
}

std::string where(const std::string& path, const std::vector<std::int64_t>& shape) {
    return "tensor '" + path + "' of shape " + shapeToString(shape);
}

}  // namespace

std::int64_t Region::numel() const {
    std::int64_t n = 1;
    for (std::int64_t c : count) n *= c;
    return n;
}

std::string Region::describe() const {
    std::string s = "[";
    for (std::size_t i = 0; i < start.size(); ++i) {
        if (i) s += ", ";
        if (count[i] == 1 && step[i] == 1) {
            s += std::to_string(start[i]);
            continue;
        }
        s += std::to_string(start[i]) + ":" +
             std::to_string(start[i] + (count[i] - 1) * step[i] + 1);
        if (step[i] != 1) s += ":" + std::to_string(step[i]);
    }
    return s + "]";
}

RegionSpec parseRegion(const std::string& text) {
    RegionSpec spec;
    spec.text = trim(text);
    if (spec.text.empty()) return spec;
    bool sawEllipsis = false;
    for (const std::string& rawPart : split(spec.text, ',')) {
        const std::string part = trim(rawPart);
        AxisSelector a;
        if (part.empty())
            throw FormatError("empty index in [" + spec.text + "] (write ':' for a whole axis)");
        if (part == "...") {
            if (sawEllipsis) throw FormatError("'...' appears twice in [" + spec.text + "]");
            sawEllipsis = true;
            a.kind = AxisSelector::Kind::Ellipsis;
        } else if (part.find(':') == std::string::npos) {
            a.kind = AxisSelector::Kind::Index;
            a.index = *parseOptionalInt(part, spec.text);
        } else {
            const std::vector<std::string> bits = split(part, ':');
            if (bits.size() > 3) throw FormatError("slice '" + part + "' has too many ':'");
            a.kind = AxisSelector::Kind::Slice;
            a.start = parseOptionalInt(bits[0], spec.text);
            a.stop = parseOptionalInt(bits[1], spec.text);
            if (bits.size() == 3) {
                const auto step = parseOptionalInt(bits[2], spec.text);
                a.step = step ? *step : 1;
                if (a.step <= 0)
                    throw FormatError("slice '" + part + "': only positive steps are supported");
            }
        }
        spec.axes.push_back(a);
    }
    return spec;
}

Region resolveRegion(const RegionSpec& spec, const std::vector<std::int64_t>& shape,
                     const std::string& path) {
    // Expand "..." and the missing trailing axes into whole-axis slices.
    std::vector<AxisSelector> axes;
    std::size_t named = 0;
    for (const AxisSelector& a : spec.axes)
        if (a.kind != AxisSelector::Kind::Ellipsis) ++named;
    if (named > shape.size())
        throw FormatError(where(path, shape) + " has " + std::to_string(shape.size()) +
                          " axes but [" + spec.text + "] names " + std::to_string(named));
    for (const AxisSelector& a : spec.axes) {
        if (a.kind == AxisSelector::Kind::Ellipsis)
            axes.insert(axes.end(), shape.size() - named, AxisSelector{});
        else
            axes.push_back(a);
    }
    axes.resize(shape.size(), AxisSelector{});

    Region r;
    for (std::size_t d = 0; d < shape.size(); ++d) {
        const std::int64_t dim = shape[d];
        const AxisSelector& a = axes[d];
        const std::string axis =
            "axis " + std::to_string(d) + " (size " + std::to_string(dim) + ")";
        if (a.kind == AxisSelector::Kind::Index) {
            const std::int64_t i = a.index < 0 ? a.index + dim : a.index;
            if (i < 0 || i >= dim)
                throw FormatError("index " + std::to_string(a.index) + " is out of range for " +
                                  axis + " of " + where(path, shape));
            r.start.push_back(i);
            r.count.push_back(1);
            r.step.push_back(1);
            continue;
        }
        auto bound = [&](const std::optional<std::int64_t>& v, std::int64_t dflt) {
            if (!v) return dflt;
            const std::int64_t b = *v < 0 ? *v + dim : *v;
            if (b < 0 || b > dim)
                throw FormatError("slice bound " + std::to_string(*v) + " is out of range for " +
                                  axis + " of " + where(path, shape));
            return b;
        };
        const std::int64_t start = bound(a.start, 0), stop = bound(a.stop, dim);
        if (stop <= start)
            throw FormatError("slice " + std::to_string(start) + ":" + std::to_string(stop) +
                              " selects nothing on " + axis + " of " + where(path, shape));
        r.start.push_back(start);
        r.count.push_back((stop - start + a.step - 1) / a.step);
        r.step.push_back(a.step);
    }
    return r;
}

Assignment parseAssignment(const std::string& text, bool allowValueless) {
    Assignment out;
    std::string lhs = text;
    const std::size_t close = text.find("]=");
    std::size_t eq = std::string::npos;
    if (close != std::string::npos) {
        eq = close + 1;
    } else if (!text.empty() && text.back() == ']') {
        eq = std::string::npos;  // "PATH[...]" without a value
    } else {
        eq = text.find('=');
    }
    if (eq != std::string::npos) {
        lhs = text.substr(0, eq);
        out.hasValue = true;
        out.value = text.substr(eq + 1);
    }
    if (!out.hasValue && !allowValueless) throw FormatError("'" + text + "' has no '=VALUE'");
    if (!lhs.empty() && lhs.back() == ']') {
        const std::size_t open = lhs.rfind('[');
        if (open == std::string::npos) throw FormatError("'" + text + "' has ']' without '['");
        out.region = parseRegion(lhs.substr(open + 1, lhs.size() - open - 2));
        lhs.resize(open);
    }
    out.path = lhs;
    if (out.path.empty()) throw FormatError("'" + text + "' names no tensor path");
    if (out.hasValue && trim(out.value).empty())
        throw FormatError("'" + text + "' has an empty value");
    return out;
}

}  // namespace ws
