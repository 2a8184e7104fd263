"""Every sentence the player says about safety, in one place to review.

Each is short and calm. Where a sentence carries advice, the comment above it names the
seed it comes from (the seed files are in ../shared/seeds/).
"""

from __future__ import annotations

PAIN_FIRST_WORDS = "Stopping now. Ease into a comfortable position, and breathe slowly."
PAIN_QUESTION = "How bad is it, from zero to ten?"
PAIN_ASK_AGAIN = "How bad is the pain, from zero to ten? Say a number."

# 003_958f91f3908acaa3.txt: "Your pain or other symptoms should return to your pre exercise
# baseline within 30 minutes of exercising"; "If these exercises cause a large increase in
# your pain ... contact your GP".
END_FOR_PAIN = (
    "We will end the session here. Please rest in a comfortable position. "
    "Pain from exercise usually settles back to its usual level within about thirty minutes. "
    "If it does not, or it keeps getting worse, contact your GP or physiotherapist."
)
