"""The parts every static explorer embeds: ids, JSON payload, script call."""
import json
import re

import pytest

from helpers.explorers._embed import json_payload, new_root_id, script_call

NAMES = ["attention.js", "layernorm.js", "loss.js", "mask.js", "neighbours.js", "post_training.js",
         "sampling.js", "timeline.js", "tokenizer.js"]


def test_root_ids_are_fresh_and_valid_ids():
    ids = {new_root_id("lx") for _ in range(200)}
    assert len(ids) == 200 and all(re.fullmatch(r"lx-[0-9a-f]{10}", i) for i in ids)


def test_payload_cannot_close_its_script_and_round_trips():
    data = {"text": "a</script><script>alert(1)</script>", "zh": "注意力", "x": [1.5, -2]}
    out = json_payload(data)
    assert "</" not in out and "注意力" in out and ", " not in out
    assert json.loads(out) == data  # "<\/" is a valid JSON escape of "/"


@pytest.mark.parametrize("name", NAMES)
def test_script_call_calls_the_explorers_function_on_the_root(name):
    out = script_call(name, "ab-0123456789")
    assert out.startswith("<script>") and out.endswith('("ab-0123456789");</script>')
    assert out.count("</script>") == 1  # the script's own text never closes the element early


def test_a_missing_script_fails_loudly():
    with pytest.raises(FileNotFoundError):
        script_call("nope.js", "ab-0123456789")
