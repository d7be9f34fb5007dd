#include "edit/edit_journal.h"

#include <dirent.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>

#include "model/error.h"

namespace ws {

namespace {

using nlohmann::json;

constexpr int kJournalVersion = 1;
const char* const kJournalSuffix = ".wsjournal";

std::string toHex(const std::vector<std::uint8_t>& bytes) {
    static const char digits[] = "0123456789abcdef";
    std::string out(bytes.size() * 2, '0');
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        out[2 * i] = digits[bytes[i] >> 4];
        out[2 * i + 1] = digits[bytes[i] & 15];
    }
    return out;
}

int hexDigit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

std::vector<std::uint8_t> fromHex(const std::string& text) {
    if (text.size() % 2) throw FormatError("odd number of hex digits");
    std::vector<std::uint8_t> out(text.size() / 2);
    for (std::size_t i = 0; i < out.size(); ++i) {
        const int hi = hexDigit(text[2 * i]), lo = hexDigit(text[2 * i + 1]);
        if (hi < 0 || lo < 0) throw FormatError("bad hex digit");
        out[i] = std::uint8_t(hi * 16 + lo);
    }
    return out;
}

json partJson(const JournalPart& p) {
    return {{"path", p.path},     {"start", p.box.start},      {"count", p.box.count},
            {"step", p.box.step}, {"before", toHex(p.before)}, {"after", toHex(p.after)}};
}

JournalPart partFromJson(const json& j) {
    JournalPart p;
    p.path = j.at("path").get<std::string>();
    p.box.start = j.at("start").get<std::vector<std::int64_t>>();
    p.box.count = j.at("count").get<std::vector<std::int64_t>>();
    p.box.step = j.at("step").get<std::vector<std::int64_t>>();
    p.before = fromHex(j.at("before").get<std::string>());
    p.after = fromHex(j.at("after").get<std::string>());
    if (p.box.start.size() != p.box.count.size() || p.box.start.size() != p.box.step.size() ||
        p.before.size() != p.after.size())
        throw FormatError("inconsistent part for '" + p.path + "'");
    return p;
}

std::string pushLine(const JournalEntry& e) {
    json parts = json::array();
    for (const JournalPart& p : e.parts) parts.push_back(partJson(p));
    return json{{"op", "push"}, {"summary", e.summary}, {"parts", parts}}.dump();
}

std::string indexLine(std::size_t index) { return json{{"op", "index"}, {"index", index}}.dump(); }

JournalSource sourceFromJson(const json& j) {
    JournalSource s;
    s.path = j.at("path").get<std::string>();
    s.size = j.at("size").get<std::uint64_t>();
    s.mtimeNs = j.at("mtime_ns").get<std::int64_t>();
    return s;
}

}  // namespace

JournalSource describeSource(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0)
        throw FormatError(path + ": cannot read file status: " + std::strerror(errno));
    JournalSource s;
    s.path = path;
    s.size = std::uint64_t(st.st_size);
    s.mtimeNs = std::int64_t(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
    return s;
}

bool sourceUnchanged(const JournalSource& source) {
    try {
        const JournalSource now = describeSource(source.path);
        return now.size == source.size && now.mtimeNs == source.mtimeNs;
    } catch (const FormatError&) {
        return false;
    }
}

JournalState readJournal(const std::string& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw FormatError(file + ": cannot open the edit journal");
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);)
        if (!line.empty()) lines.push_back(line);
    if (lines.empty()) throw FormatError(file + ": the edit journal is empty");
    JournalState state;
    try {
        const json header = json::parse(lines[0]);
        if (header.value("weightsmith_journal", 0) != kJournalVersion)
            throw FormatError("not a Weightsmith edit journal (version 1)");
        state.pid = header.at("pid").get<long>();
        state.saved = header.at("saved").get<std::size_t>();
        state.source = sourceFromJson(header.at("source"));
    } catch (const json::exception& e) {
        throw FormatError(file + ": bad journal header: " + e.what());
    } catch (const FormatError& e) {
        throw FormatError(file + ": " + e.what());
    }
    std::size_t pushes = 0;
    for (std::size_t i = 1; i < lines.size(); ++i) {
        JournalOp op;
        try {
            const json j = json::parse(lines[i]);
            const std::string kind = j.at("op").get<std::string>();
            if (kind == "push") {
                op.kind = JournalOp::Kind::Push;
                op.entry.summary = j.at("summary").get<std::string>();
                for (const json& p : j.at("parts")) op.entry.parts.push_back(partFromJson(p));
            } else if (kind == "index") {
                op.kind = JournalOp::Kind::Index;
                op.index = j.at("index").get<std::size_t>();
            } else {
                throw FormatError("unknown operation '" + kind + "'");
            }
        } catch (const std::exception& e) {
            if (i + 1 == lines.size()) break;  // torn by a crash in the middle of a write
            throw FormatError(file + ": line " + std::to_string(i + 1) + ": " + e.what());
        }
        if (op.kind == JournalOp::Kind::Push) {
            state.stepCount = state.index + 1;
            state.index = state.stepCount;
            state.stepSummaries.resize(state.index - 1);
            state.stepSummaries.push_back(op.entry.summary);
            ++pushes;
        } else {
            if (op.index > state.stepCount)
                throw FormatError(file + ": line " + std::to_string(i + 1) + ": step " +
                                  std::to_string(op.index) + " of " +
                                  std::to_string(state.stepCount));
            state.index = op.index;
        }
        state.ops.push_back(std::move(op));
    }
    // The saved state must be reachable by the pushes written first, before any index change.
    for (std::size_t i = 0; i < state.saved; ++i)
        if (i >= state.ops.size() || state.ops[i].kind != JournalOp::Kind::Push)
            throw FormatError(file + ": the journal names " + std::to_string(state.saved) +
                              " saved steps but has " + std::to_string(pushes) + " at its start");
    return state;
}

void rewindToBase(Model& model, const JournalState& state) {
    for (std::size_t i = state.saved; i-- > 0;) {
        const std::vector<JournalPart>& parts = state.ops[i].entry.parts;
        for (auto p = parts.rbegin(); p != parts.rend(); ++p)
            applyEdit(model, restoreEdit(*p, false));
    }
}

EditJournal::EditJournal(std::string file, const JournalSource& source, std::size_t saved,
                         const std::vector<JournalEntry>& steps, std::size_t index)
    : file_(std::move(file)) {
    out_ = std::fopen(file_.c_str(), "wb");
    if (!out_)
        throw FormatError(file_ + ": cannot write the edit journal: " + std::strerror(errno));
    const json header = {
        {"weightsmith_journal", kJournalVersion},
        {"pid", long(::getpid())},
        {"saved", saved},
        {"source", {{"path", source.path}, {"size", source.size}, {"mtime_ns", source.mtimeNs}}}};
    writeLine(header.dump());
    for (const JournalEntry& e : steps) writeLine(pushLine(e));
    writeLine(indexLine(index));
}

EditJournal::~EditJournal() {
    if (out_) std::fclose(out_);
}

void EditJournal::writeLine(const std::string& line) {
    if (!out_) return;
    // Flushed at once: a killed process loses nothing that reached the kernel.
    const std::string text = line + "\n";
    if (std::fwrite(text.data(), 1, text.size(), out_) != text.size() || std::fflush(out_) != 0)
        throw FormatError(file_ + ": cannot write the edit journal: " + std::strerror(errno));
}

void EditJournal::push(const JournalEntry& entry) { writeLine(pushLine(entry)); }
void EditJournal::setIndex(std::size_t index) { writeLine(indexLine(index)); }

void EditJournal::remove() {
    if (out_) std::fclose(out_);
    out_ = nullptr;
    std::remove(file_.c_str());
}

std::string journalDirectory() {
    if (const char* env = std::getenv("WS_JOURNAL_DIR"); env && *env) return env;
    if (const char* state = std::getenv("XDG_STATE_HOME"); state && *state)
        return std::string(state) + "/weightsmith/journal";
    const char* home = std::getenv("HOME");
    return std::string(home && *home ? home : "/tmp") + "/.local/state/weightsmith/journal";
}

std::string newJournalFile(const std::string& directory) {
    // mkdir -p: every missing folder on the way.
    for (std::size_t at = 1; at <= directory.size(); ++at) {
        if (at != directory.size() && directory[at] != '/') continue;
        const std::string part = directory.substr(0, at);
        if (::mkdir(part.c_str(), 0700) != 0 && errno != EEXIST)
            throw FormatError(part + ": cannot create the journal folder: " + std::strerror(errno));
    }
    static std::atomic<int> counter{0};
    return directory + "/" + std::to_string(::getpid()) + "-" + std::to_string(++counter) +
           kJournalSuffix;
}

bool processRunning(long pid) {
    // The pid comes from a file: one that pid_t cannot hold would wrap (to -1: "every process").
    if (pid <= 0 || pid > std::numeric_limits<int>::max()) return false;
    return ::kill(pid_t(pid), 0) == 0 || errno == EPERM;
}

std::vector<std::string> leftoverJournals(const std::string& directory) {
    std::vector<std::pair<std::int64_t, std::string>> found;
    DIR* dir = ::opendir(directory.c_str());
    if (!dir) return {};
    const std::string suffix = kJournalSuffix;
    while (const dirent* d = ::readdir(dir)) {
        const std::string name = d->d_name;
        if (name.size() <= suffix.size() ||
            name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0)
            continue;
        const std::string file = directory + "/" + name;
        long pid = 0;
        try {
            std::ifstream in(file);
            std::string first;
            std::getline(in, first);
            pid = json::parse(first).at("pid").get<long>();
        } catch (const std::exception&) {
            continue;  // not ours to judge: an unreadable file is left alone
        }
        if (processRunning(pid)) continue;
        struct stat st {};
        if (::stat(file.c_str(), &st) != 0) continue;
        found.emplace_back(std::int64_t(st.st_mtim.tv_sec), file);
    }
    ::closedir(dir);
    std::sort(found.begin(), found.end());
    std::vector<std::string> out;
    for (auto& f : found) out.push_back(std::move(f.second));
    return out;
}

}  // namespace ws
