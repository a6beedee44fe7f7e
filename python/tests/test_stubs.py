"""The type stubs (fxs/__init__.pyi, remote.pyi) name every class, method and function the compiled module has,
and every public function has a docstring (what notebooks show for help)."""
import ast
import inspect
import pathlib

import fxs
import fxs._fxs as compiled


def stub_names(path):
    tree = ast.parse(path.read_text())
    classes = {}
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            classes[node.name] = {getattr(x, "name", None) or getattr(getattr(x, "target", None), "id", None)
                                  for x in node.body}
    functions = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
    return classes, functions


def test_stubs_cover_the_module():
    folder = pathlib.Path(fxs.__file__).parent
    assert (folder / "py.typed").exists()
    classes, functions = stub_names(folder / "__init__.pyi")
    remote_classes, _ = stub_names(folder / "remote.pyi")
    missing = []
    for name, obj in inspect.getmembers(compiled):
        if name.startswith("_") or name == "remote":
            continue
        if inspect.isclass(obj):
            inherited = set(dir(RuntimeError)) if issubclass(obj, BaseException) else set()
            missing += [f"{name}.{a}" for a in dir(obj)
                        if not a.startswith("_") and a not in inherited and a not in classes.get(name, ())]
            missing += [name] if name not in classes else []
        elif callable(obj):
            missing += [name] if name not in functions else []
            assert obj.__doc__ and len(obj.__doc__) > 80, name
    if hasattr(compiled.remote, "Session"):
        missing += [f"Session.{a}" for a in dir(compiled.remote.Session)
                    if not a.startswith("_") and a not in remote_classes["Session"]]
    assert not missing, missing
