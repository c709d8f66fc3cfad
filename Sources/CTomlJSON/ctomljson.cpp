// TOML → JSON for manifests. Our own small walker over toml++'s tree (not toml++'s json_formatter) so that values
// JSON cannot carry faithfully — dates and times — are refused with their line instead of turning into strings.
//
// toml++ 3.3 asserts on some malformed input instead of reporting it (e.g. a table header broken by a newline,
// "[\nname]", found by `make fuzz`): assert() would abort taurun, and under NDEBUG the assertion becomes an
// optimiser assumption, i.e. undefined behaviour. So assertions stay on and throw, and the parser runs with
// exceptions; both are caught here and reported as a syntax error. Nothing escapes into Swift.
#include <stdexcept>

namespace {
struct ParserAssertion : std::runtime_error {
    using std::runtime_error::runtime_error;
};
} // namespace

#ifdef NDEBUG
#undef NDEBUG
#endif
#define TOML_ASSERT(expr)                                                                                          \
    do {                                                                                                           \
        if (!(expr)) throw ParserAssertion("malformed TOML");                                                      \
    } while (0)
#define TOML_EXCEPTIONS 1
#define TOML_HEADER_ONLY 1
#include <toml++/toml.h>

#include "ctomljson.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

namespace {

struct Failure {
    std::string message;
    int line = 0;
};

void quote(std::string &out, std::string_view s) {
    out += '"';
    for (unsigned char c : s) {
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
            if (c < 0x20) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04x", c);
                out += buf;
            } else {
                out += static_cast<char>(c);
            }
        }
    }
    out += '"';
}

bool emit(const toml::node &node, const std::string &key, std::string &out, Failure &failure) {
    if (auto *table = node.as_table()) {
        out += '{';
        bool first = true;
        for (auto &&[k, v] : *table) {
            if (!first) out += ',';
            first = false;
            quote(out, k.str());
            out += ':';
            if (!emit(v, key.empty() ? std::string(k.str()) : key + "." + std::string(k.str()), out, failure)) return false;
        }
        out += '}';
    } else if (auto *array = node.as_array()) {
        out += '[';
        for (size_t i = 0; i < array->size(); i++) {
            if (i) out += ',';
            if (!emit(*array->get(i), key + "[" + std::to_string(i) + "]", out, failure)) return false;
        }
        out += ']';
    } else if (auto *s = node.as_string()) {
        quote(out, s->get());
    } else if (auto *i = node.as_integer()) {
        out += std::to_string(i->get());
    } else if (auto *f = node.as_floating_point()) {
        double d = f->get();
        if (d != d || d == HUGE_VAL || d == -HUGE_VAL) {
            failure = { key + ": nan and inf are not allowed in a manifest", static_cast<int>(node.source().begin.line) };
            return false;
        }
        char buf[64];
        std::snprintf(buf, sizeof buf, "%.17g", d);
        out += buf;
        if (!std::strpbrk(buf, ".eE")) out += ".0";
    } else if (auto *b = node.as_boolean()) {
        out += b->get() ? "true" : "false";
    } else {
        failure = { key + ": TOML dates and times are not allowed in a manifest", static_cast<int>(node.source().begin.line) };
        return false;
    }
    return true;
}

void report(const std::string &message, int line, int column, char *error, size_t error_cap, int *error_line,
            int *error_column) {
    if (error && error_cap > 0) {
        std::strncpy(error, message.c_str(), error_cap - 1);
        error[error_cap - 1] = '\0';
    }
    if (error_line) *error_line = line;
    if (error_column) *error_column = column;
}

} // namespace

char *tr_toml_to_json(const char *text, size_t len, char *error, size_t error_cap, int *error_line, int *error_column) {
    toml::table table;
    try {
        table = toml::parse(std::string_view(text, len));
    } catch (const toml::parse_error &e) {
        report(std::string(e.description()), static_cast<int>(e.source().begin.line),
               static_cast<int>(e.source().begin.column), error, error_cap, error_line, error_column);
        return nullptr;
    } catch (const std::exception &e) {
        report(e.what(), 0, 0, error, error_cap, error_line, error_column);
        return nullptr;
    }
    std::string json;
    Failure failure;
    if (!emit(table, "", json, failure)) {
        report(failure.message, failure.line, 0, error, error_cap, error_line, error_column);
        return nullptr;
    }
    char *copy = static_cast<char *>(std::malloc(json.size() + 1));
    if (!copy) return nullptr;
    std::memcpy(copy, json.data(), json.size() + 1);
    return copy;
}
