// fxs-probe: opens an untrusted HDF5/CXI file, validates one detector stack and prints a one-line JSON verdict.
// It runs the HDF5 library on bytes nobody vouched for, so FileProbe runs it in a child process with time and
// memory limits: if a malformed file crashes the library, only this process dies.

#include <CLI/CLI.hpp>
#include <cstdio>
#include <fxs/sources/LinkedFiles.h>
#include <fxs/sources/NexusMaster.h>
#include <fxs/sources/StackInspector.h>
#include <fxs/core/Version.h>

int main(int argc, char** argv)
{
    CLI::App app { "Validates a CXI/HDF5 detector stack and prints a JSON verdict (exit 0: valid, 1: refused)",
        "fxs-probe" };
    std::string path;
    std::string dataset = "/entry_1/data_1/data";
    bool swmr = false;
    bool nexusLinks = false;
    bool linked = false;
    fxs::StackLimits limits;
    app.add_option("file", path, "HDF5/CXI file")->required();
    app.add_option("--dataset", dataset, "dataset path of the (N, ss, fs) or (N, modules, ss, fs) stack");
    app.add_flag("--swmr", swmr, "open as a SWMR reader (a file still being written)");
    app.add_flag("--nexus-links", nexusLinks, "list the data links of a DECTRIS NeXus master file instead");
    app.add_flag("--linked-files", linked,
        "list every file the file's external links, virtual datasets and external raw data reach instead");
    app.add_option("--max-slab-pixels", limits.maxSlabPixels, "largest frame accepted, in pixels");
    app.add_option("--max-frames", limits.maxFrames, "largest number of frames accepted");
    app.add_option("--max-chunk-bytes", limits.maxChunkBytes, "largest HDF5 chunk accepted, in bytes");
    app.add_option("--full-read-bytes", limits.fullReadBytes, "stacks up to this size are decoded entirely");
    app.add_option("--sample-frames", limits.sampleFrames, "frames decoded from larger stacks");
    app.add_option("--expect-slow", limits.expectedSlow, "slab rows the geometry expects (0: any)");
    app.add_option("--expect-fast", limits.expectedFast, "slab columns the geometry expects (0: any)");
    app.set_version_flag("--version", std::string("fxs-probe ") + std::string(fxs::versionString()));
    CLI11_PARSE(app, argc, argv);

    if (nexusLinks) {
        const auto links = fxs::NexusMaster::dataLinks(path);
        std::printf("%s\n", fxs::NexusLinks::toJson(links).c_str());
        std::fflush(stdout);
        return links.ok() ? 0 : 1;
    }
    if (linked) {
        const auto files = fxs::linkedFiles(path);
        std::printf("%s\n", fxs::LinkedFiles::toJson(files).c_str());
        std::fflush(stdout);
        return files.ok() ? 0 : 1;
    }
    const auto verdict = fxs::StackInspector::inspectFile(path, dataset, limits, swmr);
    std::printf("%s\n", fxs::StackInspector::toJson(verdict).c_str());
    std::fflush(stdout);
    return verdict.ok() ? 0 : 1;
}
