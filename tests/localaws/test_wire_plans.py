"""Per-shape plans: recursive shapes, and plans shared between threads that build them at the same time."""

import threading

import botocore.model
import pytest

from localaws.wire import constraints, document, output, query
from localaws.wire.plans import PlanCache, forward_call

# A model with a recursive shape (a tree of nodes), as some AWS models have.
_MODEL = botocore.model.ServiceModel(
    {
        "metadata": {"protocol": "json", "apiVersion": "2020-01-01", "endpointPrefix": "trees", "jsonVersion": "1.1"},
        "operations": {
            "Plant": {"name": "Plant", "http": {"method": "POST", "requestUri": "/"}, "input": {"shape": "Node"}}
        },
        "shapes": {
            "Node": {
                "type": "structure",
                "required": ["Name"],
                "members": {
                    "Name": {"shape": "Name"},
                    "Children": {"shape": "Nodes"},
                    "Seed": {"shape": "Seed"},
                },
            },
            "Nodes": {"type": "list", "member": {"shape": "Node"}, "max": 3},
            "Name": {"type": "string", "min": 1},
            "Seed": {"type": "blob"},
        },
    },
    "trees",
)
NODE = _MODEL.shape_for("Node")


def test_recursive_shapes_decode_validate_and_encode():
    convert = document.Compiler("json").converter(NODE)
    tree = convert({"Name": "root", "Children": [{"Name": "a", "Children": [{"Name": "", "Seed": "aGk="}]}]})
    assert tree == {"Name": "root", "Children": [{"Name": "a", "Children": [{"Name": "", "Seed": b"hi"}]}]}
    errors: constraints.Errors = []
    constraints.Compiler("com.amazonaws.trees.v20200101").check(NODE)(tree, "", errors)
    assert [(path, rule) for _, path, rule in errors] == [
        ("children.1.member.children.1.member.name", "Member must have length greater than or equal to 1")
    ]
    shaped = output.DocumentShaper("json").shaper(NODE)(tree)
    assert shaped["Children"][0]["Children"][0]["Seed"] == "aGk="
    form = {"Name": ["r"], "Children.member.1.Name": ["c"], "Children.member.1.Children.member.1.Name": ["g"]}
    decoded = query.Compiler("ValidationError").converter(NODE)(query.form_tree(form), "")
    assert decoded == {"Name": "r", "Children": [{"Name": "c", "Children": [{"Name": "g"}]}]}


def test_plans_built_by_many_threads_at_once_are_whole_when_seen():
    for _ in range(20):
        compiler = document.Compiler("json")
        barrier = threading.Barrier(8)
        failures: list[BaseException] = []

        def work(compiler=compiler, barrier=barrier, failures=failures) -> None:
            barrier.wait()
            try:
                compiler.converter(NODE)({"Name": "x", "Children": [{"Name": "y", "Children": [{"Name": "z"}]}]})
            except BaseException as error:
                failures.append(error)

        threads = [threading.Thread(target=work) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert failures == []


def test_a_failed_build_leaves_nothing_half_built():
    cache = PlanCache(forward_call)
    calls = []

    def broken():
        calls.append(1)
        raise RuntimeError("model problem")

    for _ in range(2):
        with pytest.raises(RuntimeError):
            cache.get("k", broken)
    assert len(calls) == 2  # not cached after failing
    assert cache.get("k", lambda: abs)(-3) == 3
