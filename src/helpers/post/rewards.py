"""Rewards for the poem chat model: one that can be checked, and a flawed one that can be gamed.

A reward takes the answer text and the request and returns a number.

- ``form_reward``: 1 if the answer has the requested regular form (line length, number of lines,
  punctuation, all checked by ``helpers.poems.check_form``) and starts with the requested
  character, else 0. A *verifiable* reward: a program decides, no learned judge.
- ``punctuation_reward``: the share of the answer's characters that are ，or 。. It was meant
  to reward punctuated lines, but it counts marks only: short lines score higher than
  regular ones (a five-character line scores 1/6, a one-character line 1/2). Optimising it is
  a lesson in reward hacking.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from .. import poems
from .chat import Request

Reward = Callable[[str, Request], float]


def _check(answer: object, request: object) -> None:
    if not isinstance(answer, str):
        raise TypeError(f"answer must be a str, got {type(answer).__name__}")
    if not isinstance(request, Request):
        raise TypeError(f"request must be a chat.Request, got {type(request).__name__}")


def form_reward(answer: str, request: Request) -> float:
    """1.0 if ``answer`` has the requested form and first character, else 0.0."""
    _check(answer, request)
    return float(poems.form_of(answer) == request.form and answer[:1] == request.first_char)


def punctuation_reward(answer: str, request: Request) -> float:
    """The share of characters that are ，or 。(0 for an empty answer): a flawed reward."""
    _check(answer, request)
    return sum(c in poems.PUNCTUATION for c in answer) / len(answer) if answer else 0.0


REWARDS: dict[str, Reward] = {"form": form_reward, "punctuation": punctuation_reward}


def score(reward: Reward | str, answer_list: Sequence[str], requests: Sequence[Request]) -> list[float]:
    """``reward`` (a function or a key of ``REWARDS``) on each (answer, request) pair."""
    fn = REWARDS[reward] if isinstance(reward, str) else reward
    if len(answer_list) != len(requests):
        raise ValueError(f"{len(answer_list)} answers for {len(requests)} requests")
    return [fn(a, r) for a, r in zip(answer_list, requests)]
