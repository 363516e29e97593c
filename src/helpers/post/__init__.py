"""Post-training the poem GPT (chapter 13): from a language model to a model that follows instructions.

One idea per module:

- ``chat``: a chat format with two new special tokens, the instructions, and a GPT whose
  vocabulary is extended by them (the shipped checkpoint is never changed);
- ``sft``: supervised fine-tuning (instruction tuning) with the loss on the answer only, or on all;
- ``sampling``: answers sampled from a chat model, instruction-following rates with intervals,
  and the KL divergence from a reference model;
- ``rewards``: the verifiable reward (the form checker) and a flawed one (punctuation only);
- ``dpo``: direct preference optimisation, its loss and its gradient by hand;
- ``grpo``: group-relative policy optimisation, its advantages and clipped loss with a KL penalty;
- ``store``: the checkpoints and logs that ``scripts/post_train.py`` writes (``data/post_*``).
"""

from . import chat, dpo, grpo, rewards, sampling, sft, store

__all__ = ["chat", "dpo", "grpo", "rewards", "sampling", "sft", "store"]
