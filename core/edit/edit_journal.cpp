// SPDX-License-Identifier: GPL-3.0-or-later
#include "edit/edit_journal.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>

#include "containers/zip_writer.h"
#include "edit/editable_storage.h"
#include "io/content_hash.h"
#include "io/crash_point.h"
#include "model/error.h"

namespace ws {

namespace {

constexpr std::uint32_t kJournalVersion = 2;
const char kMagic[4] = {'W', 'S', 'J', '1'};
constexpr std::size_t kRecordHead = 4 + 1 + 8;  // magic, kind, payload length
const char* const kJournalSuffix = ".wsjournal";

enum RecordKind : std::uint8_t {
    kHeader = 1,
    kPush = 2,
    kFingerprint = 3,
    kMove = 4,
    kSaveStarted = 5,
    kSaved = 6,
};

// Little-endian encoding of the records' small fields.
class Encoder {
  public:
    void u32(std::uint32_t v) { raw(&v, 4); }
    void u64(std::uint64_t v) { raw(&v, 8); }
    void i64(std::int64_t v) { raw(&v, 8); }
    void str(const std::string& s) {
        u64(s.size());
        out_.append(s);
    }
    void i64s(const std::vector<std::int64_t>& v) {
        for (std::int64_t x : v) i64(x);
    }
    const std::string& bytes() const { return out_; }

  private:
    void raw(const void* p, std::size_t n) { out_.append(static_cast<const char*>(p), n); }
    std::string out_;
};

class Decoder {
  public:
    Decoder(const std::uint8_t* p, std::size_t n) : p_(p), end_(p + n) {}
    std::uint32_t u32() { return fixed<std::uint32_t>(); }
    std::uint64_t u64() { return fixed<std::uint64_t>(); }
    std::int64_t i64() { return fixed<std::int64_t>(); }
    std::string str() {
        const std::uint64_t n = u64();
        need(n);
        std::string s(reinterpret_cast<const char*>(p_), std::size_t(n));
        p_ += n;
        return s;
    }
    std::vector<std::uint8_t> bytes(std::uint64_t n) {
        need(n);
        std::vector<std::uint8_t> out(p_, p_ + n);
        p_ += n;
        return out;
    }
    std::vector<std::int64_t> i64s(std::uint32_t n) {
        need(std::uint64_t(n) * 8);
        std::vector<std::int64_t> out(n);
        for (auto& x : out) x = i64();
        return out;
    }
    void end() const {
        if (p_ != end_) throw FormatError("unexpected bytes at the end of a record");
    }

  private:
    void need(std::uint64_t n) const {
        if (n > std::uint64_t(end_ - p_)) throw FormatError("record shorter than its fields");
    }
    template <typename T>
    T fixed() {
        need(sizeof(T));
        T v;
        std::memcpy(&v, p_, sizeof(T));
        p_ += sizeof(T);
        return v;
    }
    const std::uint8_t* p_;
    const std::uint8_t* end_;
};

void encodeSource(Encoder& e, const JournalSource& s) {
    e.str(s.path);
    e.u64(s.size);
    e.i64(s.mtimeNs);
}

JournalSource decodeSource(Decoder& d) {
    JournalSource s;
    s.path = d.str();
    s.size = d.u64();
    s.mtimeNs = d.i64();
    return s;
}

EditStep decodePush(Decoder& d) {
    EditStep step;
    step.summary = d.str();
    const std::uint32_t parts = d.u32();
    for (std::uint32_t i = 0; i < parts; ++i) {
        EditPart p;
        p.path = d.str();
        const std::uint32_t rank = d.u32();
        if (rank > 64) throw FormatError("a region of rank " + std::to_string(rank));
        p.box.start = d.i64s(rank);
        p.box.count = d.i64s(rank);
        p.box.step = d.i64s(rank);
        const std::uint64_t n = d.u64();
        p.before = d.bytes(n);
        p.after = d.bytes(n);
        step.parts.push_back(std::move(p));
    }
    d.end();
    return step;
}

// One record of a journal read into memory: kind and payload, or why it is unreadable.
struct RawRecord {
    std::uint8_t kind = 0;
    const std::uint8_t* payload = nullptr;
    std::size_t size = 0;
};

// Splits the file into records. A record that is cut short or fails its CRC and reaches the end
// of the file is a torn last write: dropped. Anything else wrong is damage.
std::vector<RawRecord> splitRecords(const std::vector<std::uint8_t>& data,
                                    const std::string& file) {
    std::vector<RawRecord> out;
    std::size_t at = 0;
    while (at < data.size()) {
        const std::size_t left = data.size() - at;
        auto damaged = [&](const std::string& what) {
            return FormatError(file + ": record " + std::to_string(out.size() + 1) + ": " + what);
        };
        if (left < kRecordHead) break;  // torn header
        if (std::memcmp(data.data() + at, kMagic, 4) != 0)
            throw damaged("not a Weightsmith edit journal record");
        std::uint64_t length = 0;
        std::memcpy(&length, data.data() + at + 5, 8);
        if (length > left - kRecordHead || left - kRecordHead - length < 4) break;  // torn
        const std::size_t end = at + kRecordHead + std::size_t(length);
        std::uint32_t crc = 0;
        std::memcpy(&crc, data.data() + end, 4);
        const std::uint32_t want =
            crc32Update(0, data.data() + at + 4, 1 + 8 + std::size_t(length));
        if (crc != want) {
            if (end + 4 == data.size()) break;  // the last write, torn inside
            throw damaged("checksum mismatch");
        }
        out.push_back({data[at + 4], data.data() + at + kRecordHead, std::size_t(length)});
        at = end + 4;
    }
    return out;
}

std::vector<std::uint8_t> readFileBytes(const std::string& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw FormatError(file + ": cannot open the edit journal");
    return std::vector<std::uint8_t>(std::istreambuf_iterator<char>(in), {});
}

void writeAll(int fd, const void* data, std::size_t n, const std::string& file) {
    const char* p = static_cast<const char*>(data);
    while (n) {
        const ssize_t w = ::write(fd, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0)
            throw FormatError(
                file + ": cannot write the edit journal: " + std::strerror(w < 0 ? errno : ENOSPC));
        p += w;
        n -= std::size_t(w);
    }
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
    } catch (const Error&) {
        return false;
    }
}

std::size_t JournalState::savedVersion(const std::vector<std::size_t>& holds) const {
    if (holds.size() > history.size()) return EditSession::kNoVersion;
    return std::equal(holds.begin(), holds.end(), history.begin()) ? holds.size()
                                                                   : EditSession::kNoVersion;
}

JournalState readJournal(const std::string& file) {
    const std::vector<std::uint8_t> data = readFileBytes(file);
    const std::vector<RawRecord> records = splitRecords(data, file);
    if (records.empty() || records[0].kind != kHeader)
        throw FormatError(file + ": not a Weightsmith edit journal (version 2), or empty");
    JournalState state;
    std::uint64_t sourceHolds = 0;
    for (std::size_t i = 0; i < records.size(); ++i) {
        const RawRecord& r = records[i];
        try {
            Decoder d(r.payload, r.size);
            switch (r.kind) {
                case kHeader: {
                    if (i != 0) throw FormatError("a second header");
                    if (d.u32() != kJournalVersion)
                        throw FormatError("not a Weightsmith edit journal (version 2)");
                    state.pid = long(d.i64());
                    state.source = decodeSource(d);
                    sourceHolds = d.u64();
                    break;
                }
                case kPush: {
                    state.pushed.push_back(decodePush(d));
                    state.history.resize(state.index);
                    state.history.push_back(state.pushed.size() - 1);
                    state.index = state.history.size();
                    if (state.pushed.size() <= sourceHolds)  // written first, in one line
                        state.fileHolds.push_back(state.pushed.size() - 1);
                    break;
                }
                case kFingerprint: {
                    StorageFingerprint f;
                    f.tensor = d.str();
                    f.size = d.u64();
                    f.hash = d.u64();
                    state.fingerprints.push_back(std::move(f));
                    break;
                }
                case kMove: {
                    const std::uint64_t v = d.u64();
                    if (v > state.history.size())
                        throw FormatError("step " + std::to_string(v) + " of " +
                                          std::to_string(state.history.size()));
                    state.index = std::size_t(v);
                    break;
                }
                case kSaveStarted: {
                    state.unfinishedTarget = d.str();
                    const std::uint64_t v = d.u64();
                    if (v > state.history.size()) throw FormatError("a save of a missing step");
                    state.unfinishedHolds.assign(state.history.begin(),
                                                 state.history.begin() + std::ptrdiff_t(v));
                    state.saveUnfinished = true;
                    break;
                }
                case kSaved: {
                    state.source = decodeSource(d);
                    const std::uint64_t v = d.u64();
                    if (v > state.history.size()) throw FormatError("a save of a missing step");
                    state.fileHolds.assign(state.history.begin(),
                                           state.history.begin() + std::ptrdiff_t(v));
                    state.saveUnfinished = false;
                    state.fingerprints.clear();  // they were the old file's: new ones follow
                    break;
                }
                default:
                    throw FormatError("unknown record kind " + std::to_string(int(r.kind)));
            }
            if (r.kind == kSaveStarted || r.kind == kSaved || r.kind == kFingerprint ||
                r.kind == kMove || r.kind == kHeader)
                d.end();
        } catch (const FormatError& e) {
            throw FormatError(file + ": record " + std::to_string(i + 1) + ": " + e.what());
        }
    }
    if (state.pushed.size() < sourceHolds)  // torn while the first records were written
        throw FormatError(file + ": the journal names " + std::to_string(sourceHolds) +
                          " saved steps but has " + std::to_string(state.pushed.size()));
    state.stepCount = state.history.size();
    return state;
}

EditJournal::EditJournal(std::string file, const JournalSource& source, std::size_t sourceHolds)
    : file_(std::move(file)) {
    fd_ = ::open(file_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd_ < 0)
        throw FormatError(file_ + ": cannot write the edit journal: " + std::strerror(errno));
    Encoder e;
    e.u32(kJournalVersion);
    e.i64(std::int64_t(::getpid()));
    encodeSource(e, source);
    e.u64(sourceHolds);
    writeRecord(kHeader, {{e.bytes().data(), e.bytes().size()}});
}

EditJournal::~EditJournal() {
    if (fd_ >= 0) ::close(fd_);
}

void EditJournal::writeRecord(std::uint8_t kind, const std::vector<Span>& payload) {
    if (fd_ < 0) return;
    std::uint64_t length = 0;
    for (const Span& s : payload) length += s.size;
    char head[kRecordHead];
    std::memcpy(head, kMagic, 4);
    head[4] = char(kind);
    std::memcpy(head + 5, &length, 8);
    std::uint32_t crc = crc32Update(0, head + 4, 9);
    for (const Span& s : payload) crc = crc32Update(crc, s.data, s.size);
    // No flush or fsync needed against a killed process: what write() returned is the kernel's.
    // (A power cut may lose the tail, which then reads as torn.)
    writeAll(fd_, head, sizeof head, file_);
    for (const Span& s : payload) {
        const std::size_t half = s.size > 4096 ? s.size / 2 : 0;
        writeAll(fd_, s.data, half, file_);
        if (half) crashPoint("journal-torn");  // the crash tests' "during a bulk edit"
        writeAll(fd_, static_cast<const char*>(s.data) + half, s.size - half, file_);
    }
    writeAll(fd_, &crc, 4, file_);
    written_ += sizeof head + length + 4;
}

void EditJournal::push(const EditStep& step) {
    std::vector<Encoder> heads(step.parts.size() + 1);
    heads[0].str(step.summary);
    heads[0].u32(std::uint32_t(step.parts.size()));
    std::vector<Span> spans{{heads[0].bytes().data(), heads[0].bytes().size()}};
    for (std::size_t i = 0; i < step.parts.size(); ++i) {
        const EditPart& p = step.parts[i];
        Encoder& e = heads[i + 1];
        e.str(p.path);
        e.u32(std::uint32_t(p.box.start.size()));
        e.i64s(p.box.start);
        e.i64s(p.box.count);
        e.i64s(p.box.step);
        e.u64(p.before.size());
        spans.push_back({e.bytes().data(), e.bytes().size()});
        spans.push_back({p.before.data(), p.before.size()});
        spans.push_back({p.after.data(), p.after.size()});
    }
    writeRecord(kPush, spans);
}

void EditJournal::writeFingerprint(const std::string& tensor, const ByteSource& storage) {
    Encoder e;
    e.str(tensor);
    e.u64(storage.size());
    e.u64(contentHash(storage));
    writeRecord(kFingerprint, {{e.bytes().data(), e.bytes().size()}});
}

void EditJournal::push(const EditStep& step, const Model& model) {
    // Fingerprints first: a torn push after them leaves them harmless. The first edit of a
    // tensor: its storage as the file holds it is the one the edit copied (original()).
    for (const EditPart& p : step.parts) {
        if (std::find(fingerprinted_.begin(), fingerprinted_.end(), p.path) != fingerprinted_.end())
            continue;
        fingerprinted_.push_back(p.path);
        const Node* node = model.find(p.path);
        if (!node || !node->tensor || !node->tensor->storage) continue;
        const auto* edited = dynamic_cast<const EditableStorage*>(node->tensor->storage.get());
        writeFingerprint(p.path, edited ? *edited->original() : *node->tensor->storage);
    }
    push(step);
}

void EditJournal::moveTo(std::size_t version) {
    Encoder e;
    e.u64(version);
    writeRecord(kMove, {{e.bytes().data(), e.bytes().size()}});
}

void EditJournal::saveStarted(const std::string& target, std::size_t version) {
    Encoder e;
    e.str(target);
    e.u64(version);
    writeRecord(kSaveStarted, {{e.bytes().data(), e.bytes().size()}});
}

void EditJournal::saved(const JournalSource& file, std::size_t version, const Model& model) {
    Encoder e;
    encodeSource(e, file);
    e.u64(version);
    writeRecord(kSaved, {{e.bytes().data(), e.bytes().size()}});
    // The new file holds the edited storages as they are now: their fingerprints follow.
    for (const std::string& tensor : fingerprinted_) {
        const Node* node = model.find(tensor);
        if (node && node->tensor && node->tensor->storage)
            writeFingerprint(tensor, *node->tensor->storage);
    }
}

void EditJournal::remove() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
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

namespace {

// The pid in a journal's header record; 0 when the file does not start with one.
long journalPid(const std::string& file) {
    std::ifstream in(file, std::ios::binary);
    char head[kRecordHead + 4 + 8] = {};
    if (!in.read(head, sizeof head)) return 0;
    if (std::memcmp(head, kMagic, 4) != 0 || head[4] != char(kHeader)) return 0;
    std::int64_t pid = 0;
    std::memcpy(&pid, head + kRecordHead + 4, 8);
    return long(pid);
}

}  // namespace

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
        const long pid = journalPid(file);
        if (pid == 0) continue;  // not ours to judge: an unreadable file is left alone
        if (processRunning(pid)) continue;
        struct stat st {};
        if (::stat(file.c_str(), &st) != 0) continue;
        found.emplace_back(std::int64_t(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec, file);
    }
    ::closedir(dir);
    std::sort(found.begin(), found.end());
    std::vector<std::string> out;
    for (auto& f : found) out.push_back(std::move(f.second));
    return out;
}

}  // namespace ws
