"""The code that builds a section's graph, for the report: its listing's `build` and every listing function
that `build` reaches, whichever module holds it (a variant's head and its base listing's encoder and decoder).

Reached means called, or passed as a value, in the source of a function already reached; a parameter's
default counts only where some call leaves that parameter out (the σ head is not shown for the γ VAE, which
passes its own). Functions outside `graphs/` (TensorFlow, the toolkit's layers) are not shown.
"""
import ast
import inspect
import textwrap
from types import FunctionType, ModuleType


def is_listing_function(value):
    return isinstance(value, FunctionType) and value.__module__.startswith("graphs.")


def resolve(node, namespace):
    """The object an expression names, for `name` and `module.name`; None for anything else."""
    if isinstance(node, ast.Name):
        return namespace.get(node.id)
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        owner = namespace.get(node.value.id)
        return getattr(owner, node.attr, None) if isinstance(owner, ModuleType) else None
    return None


def parameters_passed(function, call):
    """The names of `function`'s parameters that `call` gives a value."""
    names = list(inspect.signature(function).parameters)
    return set(names[:len(call.args)]) | {keyword.arg for keyword in call.keywords}


def reached_from(entry, passed_to_entry):
    """Listing functions in the order reached from `entry`, each with the set of parameters some call left out."""
    order, left_out = [], {}
    pending = [(entry, set(passed_to_entry))]
    while pending:
        function, passed = pending.pop(0)
        unpassed = set(inspect.signature(function).parameters) - passed
        if function in left_out:
            left_out[function] |= unpassed
            continue
        order.append(function)
        left_out[function] = unpassed
        body = ast.parse(textwrap.dedent(inspect.getsource(function))).body[0].body  # its defaults: below
        nodes = [node for statement in body for node in ast.walk(statement)]
        namespace = function.__globals__
        called = set()
        for node in nodes:
            if isinstance(node, ast.Call):
                callee = resolve(node.func, namespace)
                if is_listing_function(callee):
                    pending.append((callee, parameters_passed(callee, node)))
                    called.add(id(node.func))
        for node in nodes:  # functions handed over as values: called elsewhere with what they need
            if isinstance(node, (ast.Name, ast.Attribute)) and id(node) not in called \
                    and isinstance(getattr(node, "ctx", None), ast.Load):
                value = resolve(node, namespace)
                if is_listing_function(value) and value is not function:
                    pending.append((value, set(inspect.signature(value).parameters)))
    return order, left_out


def graph_functions(module):
    """`module.build` and the listing functions it reaches, its used defaults included, in the order reached."""
    order, left_out = reached_from(module.build, ("config",))
    shown = list(order)
    for function in order:
        for name, parameter in inspect.signature(function).parameters.items():
            default = parameter.default
            if name in left_out[function] and is_listing_function(default) and default not in shown:
                for found in reached_from(default, set(inspect.signature(default).parameters))[0]:
                    if found not in shown:
                        shown.append(found)
    return shown


def graph_code(module):
    """The source of `graph_functions(module)`, each module's functions under a line naming its file; None where
    the section has no `build`."""
    if not isinstance(getattr(module, "build", None), FunctionType):
        return None
    parts, current = [], None
    for function in graph_functions(module):
        if function.__module__ != current:
            current = function.__module__
            parts.append(f"# {current.replace('.', '/')}.py")
        parts.append(textwrap.dedent(inspect.getsource(function)))
    return "\n".join(parts)
