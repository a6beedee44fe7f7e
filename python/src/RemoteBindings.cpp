// fxs.remote.Session: the fxs-server client (RemoteSession) with job specs and statuses as Python dicts.
#include "Arrays.h"

#ifdef FXS_HAVE_REMOTE
#include "TokenFile.h"
#include "fxs/remote/RemoteSession.h"

#include <google/protobuf/util/json_util.h>
#include <pybind11/functional.h>
#include <pybind11/stl.h>

#include <cctype>
#include <fstream>
#include <sstream>
#endif

#include <optional>

namespace fxs::python {

#ifdef FXS_HAVE_REMOTE

namespace {

namespace pb = google::protobuf;

py::object fieldValue(const pb::Message& msg, const pb::FieldDescriptor* f, int index);

/// A protobuf message as a dict with its field names, every field present (proto3 defaults included); enums by
/// name, 64-bit integers as ints (proto JSON would make them strings).
py::dict toDict(const pb::Message& msg)
{
    py::dict d;
    const pb::Descriptor* desc = msg.GetDescriptor();
    const pb::Reflection* refl = msg.GetReflection();
    for (int i = 0; i < desc->field_count(); ++i) {
        const pb::FieldDescriptor* f = desc->field(i);
        if (f->is_repeated()) {
            py::list l;
            for (int k = 0; k < refl->FieldSize(msg, f); ++k) {
                l.append(fieldValue(msg, f, k));
            }
            d[py::str(f->name())] = l;
        } else if (f->cpp_type() == pb::FieldDescriptor::CPPTYPE_MESSAGE && !refl->HasField(msg, f)) {
            d[py::str(f->name())] = py::none();
        } else {
            d[py::str(f->name())] = fieldValue(msg, f, -1);
        }
    }
    return d;
}

py::object fieldValue(const pb::Message& msg, const pb::FieldDescriptor* f, int k)
{
    const pb::Reflection* r = msg.GetReflection();
    const bool rep = k >= 0;
    switch (f->cpp_type()) {
    case pb::FieldDescriptor::CPPTYPE_INT32:
        return py::int_(rep ? r->GetRepeatedInt32(msg, f, k) : r->GetInt32(msg, f));
    case pb::FieldDescriptor::CPPTYPE_INT64:
        return py::int_(rep ? r->GetRepeatedInt64(msg, f, k) : r->GetInt64(msg, f));
    case pb::FieldDescriptor::CPPTYPE_UINT32:
        return py::int_(rep ? r->GetRepeatedUInt32(msg, f, k) : r->GetUInt32(msg, f));
    case pb::FieldDescriptor::CPPTYPE_UINT64:
        return py::int_(rep ? r->GetRepeatedUInt64(msg, f, k) : r->GetUInt64(msg, f));
    case pb::FieldDescriptor::CPPTYPE_DOUBLE:
        return py::float_(rep ? r->GetRepeatedDouble(msg, f, k) : r->GetDouble(msg, f));
    case pb::FieldDescriptor::CPPTYPE_FLOAT:
        return py::float_(rep ? r->GetRepeatedFloat(msg, f, k) : r->GetFloat(msg, f));
    case pb::FieldDescriptor::CPPTYPE_BOOL:
        return py::bool_(rep ? r->GetRepeatedBool(msg, f, k) : r->GetBool(msg, f));
    case pb::FieldDescriptor::CPPTYPE_ENUM:
        return py::str((rep ? r->GetRepeatedEnum(msg, f, k) : r->GetEnum(msg, f))->name());
    case pb::FieldDescriptor::CPPTYPE_STRING: {
        const std::string s = rep ? r->GetRepeatedString(msg, f, k) : r->GetString(msg, f);
        return f->type() == pb::FieldDescriptor::TYPE_BYTES ? py::object(py::bytes(s)) : py::object(py::str(s));
    }
    case pb::FieldDescriptor::CPPTYPE_MESSAGE:
        return toDict(rep ? r->GetRepeatedMessage(msg, f, k) : r->GetMessage(msg, f));
    }
    return py::none();
}

fxs::v1::JobSpec specOf(const py::object& spec)
{
    const std::string json = py::isinstance<py::str>(spec)
        ? spec.cast<std::string>()
        : py::module_::import("json").attr("dumps")(spec).cast<std::string>();
    fxs::v1::JobSpec s;
    pb::util::JsonParseOptions o;
    o.ignore_unknown_fields = false;
    const auto st = pb::util::JsonStringToMessage(json, &s, o);
    if (!st.ok()) {
        throw py::value_error("spec: not a JobSpec (remote/fxs.proto): " + std::string(st.message()));
    }
    return s;
}

fxs::v1::ResultKind kindOf(const std::string& kind)
{
    fxs::v1::ResultKind k {};
    std::string upper = "RESULT_KIND_";
    for (char c : kind) {
        upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    if (!fxs::v1::ResultKind_Parse(upper, &k) || k == fxs::v1::RESULT_KIND_UNSPECIFIED) {
        throw py::value_error("kind: expected 'c2_sums', 'checkpoint', 'log', 'results_h5' or 'density_mrc', got '"
            + kind + "'");
    }
    return k;
}

std::string readText(const std::string& path, const char* what)
{
    std::ifstream in(path);
    if (!in) {
        throw EngineError(std::string("cannot read the ") + what + " " + path);
    }
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

/// fxs.remote.Session: one RemoteSession; calls release the GIL, callbacks of watch() take it back.
struct Session {
    std::unique_ptr<remote::RemoteSession> session;
    std::string server;

    template <class Call> auto call(Call&& c)
    {
        py::gil_scoped_release release;
        return unwrap(c(*session));
    }
};

std::unique_ptr<Session> makeSession(const std::string& server, const std::optional<std::string>& tokenFile,
    const std::optional<std::string>& token, const std::optional<std::string>& caFile, double timeoutS)
{
    remote::RemoteOptions o;
    o.target = server;
    if (tokenFile) {
        o.token = unwrap(remote::readTokenFile(*tokenFile));
    } else if (token) {
        o.token = *token;
    } else {
        throw py::value_error("Session: give token_file (a file of mode 0600 holding the token) or token");
    }
    if (caFile) {
        o.rootCertsPem = readText(*caFile, "CA certificate");
    }
    o.callTimeout = std::chrono::milliseconds(static_cast<std::int64_t>(timeoutS * 1000));
    return std::make_unique<Session>(Session { std::make_unique<remote::RemoteSession>(o), server });
}

py::dict snapshotDict(const remote::RemoteSnapshot& s)
{
    py::dict d;
    d["version"] = s.version;
    d["n_q"] = s.nQ;
    d["n_phi"] = s.nPhi;
    d["shots"] = s.shots;
    d["split_half_cc"] = s.splitHalfCC;
    d["c2"] = ownedArray(std::vector<double>(s.c2), { s.nQ, s.nQ, s.nPhi });
    return d;
}

py::dict watch(Session& s, const std::string& jobId, const std::optional<py::function>& onStatus,
    const std::optional<py::function>& onSnapshot)
{
    std::exception_ptr raised;
    // A callback that raises ends the watch; its exception is raised here once watch() has returned.
    const auto guarded = [&](auto&& body) {
        py::gil_scoped_acquire acquire;
        if (raised) {
            return;
        }
        try {
            body();
        } catch (...) {
            raised = std::current_exception();
            s.session->stopWatching();
        }
    };
    std::function<void(const fxs::v1::JobStatus&)> statusFn = [&](const fxs::v1::JobStatus& st) {
        if (onStatus) {
            guarded([&] { (*onStatus)(toDict(st)); });
        }
    };
    std::function<void(const remote::RemoteSnapshot&)> snapFn;
    if (onSnapshot) {
        snapFn = [&](const remote::RemoteSnapshot& snap) { guarded([&] { (*onSnapshot)(snapshotDict(snap)); }); };
    }
    Result<fxs::v1::JobStatus> r = [&] {
        py::gil_scoped_release release;
        return s.session->watch(jobId, statusFn, snapFn);
    }();
    if (raised) {
        std::rethrow_exception(raised);
    }
    return toDict(unwrap(std::move(r)));
}

} // namespace

void bindRemote(py::module_& m)
{
    py::module_ r = m.def_submodule("remote", "The fxs-server client: submit, watch and fetch remote C2 jobs.");
    py::class_<Session>(r, "Session",
        "A client of one fxs-server. Job specs are dicts (or JSON text) of the JobSpec message of remote/fxs.proto "
        "(e.g. {'name': 'run 12', 'synthetic': {'shots': 1000}, 'grid': {'n_q': 100, 'n_phi': 128}, 'ranks': 2}); "
        "statuses are dicts of JobStatus with every field. Errors raise fxs.FxsError with the gRPC status name "
        "first ('UNAUTHENTICATED: ...').")
        .def(py::init(&makeSession), py::arg("server") = "127.0.0.1:50051", py::arg("token_file") = py::none(),
            py::arg("token") = py::none(), py::arg("ca_file") = py::none(), py::arg("timeout") = 10.0,
            "server: host:port; token_file: a file of mode 0600 with the bearer token (or token=); ca_file: PEM "
            "CA certificate (turns TLS on); timeout: seconds per call.")
        .def_readonly("server", &Session::server)
        .def("health", [](Session& s) {
            py::gil_scoped_release release;
            check(s.session->health());
        }, "Raises FxsError unless the server is up and serving.")
        .def("whoami", [](Session& s) { return toDict(s.call([](auto& c) { return c.whoAmI(); })); },
            "The token's name, role and limits.")
        .def("submit", [](Session& s, const py::object& spec) {
            const auto js = specOf(spec);
            return toDict(s.call([&](auto& c) { return c.submit(js); }));
        },
            py::arg("spec"), "Submits a job (JobSpec as a dict or JSON text); its first status.")
        .def("cancel", [](Session& s, const std::string& id) { return toDict(s.call([&](auto& c) { return c.cancel(id); })); },
            py::arg("job_id"), "Cancels a job; its final status.")
        .def("resume", [](Session& s, const std::string& id) { return toDict(s.call([&](auto& c) { return c.resume(id); })); },
            py::arg("job_id"), "Resumes a failed or cancelled job from its checkpoint.")
        .def("list", [](Session& s) {
            py::list l;
            for (const auto& j : s.call([](auto& c) { return c.list(); })) {
                l.append(toDict(j));
            }
            return l;
        }, "Every job of the server (statuses).")
        .def("watch", &watch, py::arg("job_id"), py::arg("on_status") = py::none(), py::arg("on_snapshot") = py::none(),
            "Follows a job until it ends and returns its final status; on_status(dict) for every update, "
            "on_snapshot(dict with version, n_q, n_phi, shots, split_half_cc, c2) for every complete C2 snapshot. "
            "Reconnects when the server restarts. A callback that raises ends the watch with its exception.")
        .def("stop_watching", [](Session& s) { s.session->stopWatching(); }, "Ends a watch() running in another thread.")
        .def("fetch", [](Session& s, const std::string& id, const std::string& path, const std::string& kind) {
            const auto k = kindOf(kind);
            py::gil_scoped_release release;
            check(s.session->fetch(id, path, k));
            return path;
        },
            py::arg("job_id"), py::arg("path"), py::arg("kind") = "c2_sums",
            "Downloads a result ('c2_sums' (read it with fxs.open_results), 'results_h5', 'checkpoint', 'log', "
            "'density_mrc') to path, checking chunk order and the SHA-256; returns path.");
}

#else

void bindRemote(py::module_& m)
{
    m.def_submodule("remote", "Not available: this fxs was built without the remote client (gRPC).");
}

#endif

} // namespace fxs::python
