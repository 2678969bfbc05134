"""shoal_runtime_object: folds the runtime's objects (and static system libraries it needs)
into one relocatable object whose only global definitions are the public interface (main,
LLVMFuzzer*, SanitizerCoverage callbacks, sanitizer hooks, interceptors) and weak/COMDAT
symbols. Localising the rest keeps Shoal's copy of protobuf from clashing with a harness's."""

def _shoal_runtime_object_impl(ctx):
    objects = []
    for dep in ctx.attr.deps:
        for linker_input in dep[CcInfo].linking_context.linker_inputs.to_list():
            for library in linker_input.libraries:
                objects.extend(library.pic_objects or library.objects)
    archives = ctx.files.archives
    out = ctx.outputs.out
    ctx.actions.run_shell(
        inputs = objects + archives + [ctx.file.public_symbols],
        outputs = [out],
        command = """
set -eu
tmp="{out}.prelink.o"
ld -r -o "$tmp" {objects} {archives}
# Keep weak and unique (COMDAT, inline, template) definitions global so they merge with
# the harness's copies; localise every other definition except the public interface.
nm --defined-only "$tmp" | awk '$2 ~ /^[WVu]$/ {{print $3}}' > "{out}.keep"
cat "{public}" >> "{out}.keep"
objcopy --wildcard --keep-global-symbols="{out}.keep" "$tmp" "{out}"
rm -f "$tmp" "{out}.keep"
""".format(
            out = out.path,
            objects = " ".join([o.path for o in objects]),
            archives = " ".join([a.path for a in archives]),
            public = ctx.file.public_symbols.path,
        ),
        mnemonic = "ShoalPrelink",
        progress_message = "Prelinking the Shoal runtime object",
    )
    return [DefaultInfo(files = depset([out]))]

shoal_runtime_object = rule(
    implementation = _shoal_runtime_object_impl,
    attrs = {
        "deps": attr.label_list(providers = [CcInfo]),
        "archives": attr.label_list(allow_files = [".a"]),
        "public_symbols": attr.label(allow_single_file = True),
        "out": attr.output(mandatory = True),
    },
)
