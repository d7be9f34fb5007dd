// SPDX-License-Identifier: GPL-3.0-or-later
#include "text/gui_wording.h"

#include <QCoreApplication>
#include <QRegularExpression>

namespace ws::ui {

namespace {

struct Rewording {
    const char* pattern;  // a regular expression over the core's text
    const char* gui;      // its replacement, in the app's words
};

// Longest phrases first: each names a whole hint, so the app's sentence reads as one.
const Rewording kRewordings[] = {
    {R"(give it with --input-shape, e\.g\. --input-shape ([0-9,]+))",
     "fill in Input shape (without the batch axis), e.g. \\1"},
    {R"(\(--emit-module, its own recurrence\))",
     "(a module with its own recurrence, which weightsmith-cli convert can generate)"},
    {R"(--emit-module/--config: )", "A generated PyTorch module or a separate config: "},
    {R"(--emit-module needs)", "A generated PyTorch module needs"},
    {R"(--emit-module: )", "Generating a PyTorch module: "},
    {R"(without --template only handles)", "without a template only handles"},
    {R"(with --template(?: \S+)?)", "with File > Transfer weights into..."},
    {R"(or --template(?: \S+)?)", "or File > Transfer weights into..."},
    {R"(needs --template\))", "needs a template: File > Transfer weights into...)"},
    {R"(with --mapping)", "in the Mapping table"},
    {R"(say which with --tensor PATH)", "choose .npz, which holds them all"},
    {R"(\(--drop-unsupported writes the rest\))",
     "(weightsmith-cli can write the rest without them, when asked to drop them)"},
    {R"(JSON from model\.to_json\(\) with --config)",
     "JSON from model.to_json() (weightsmith-cli accepts it; the app needs a full model file)"},
};

}  // namespace

QString inGuiWords(const QString& message) {
    QString out = message;
    for (const Rewording& r : kRewordings)
        out.replace(QRegularExpression(QString::fromLatin1(r.pattern)),
                    QCoreApplication::translate("GuiWording", r.gui));
    return out;
}

}  // namespace ws::ui
