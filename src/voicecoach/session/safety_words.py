"""Every sentence the player says about safety, in one place to review.

Each is short and calm. The comment above a sentence that carries advice names where the
advice comes from: a seed file in ../shared/seeds/ (by file name), or, for the urgent signs
no seed lists, the standard guidance it follows. docs/safety.md sets the same out for a
reviewer.
"""

from __future__ import annotations

# ---------------------------------------------------------------- red flags

# 002_b2d704b986d4956d.txt: "see a doctor if the pain is constant, wakes you up at night, and
# includes leg pain or follows an injury"; "If back pain comes on suddenly, does not improve
# or includes sharp pains ... Stop exercising and consult your doctor".
# 003_958f91f3908acaa3.txt: "If these exercises cause a large increase in your pain ... please
# contact your GP". 004_cab36b27352f5f7d.txt: "What you do not want is an increase in
# radiation in your leg. If this is the case, you must stop this exercise".
RED_FLAGS_SEE_A_DOCTOR = (
    "Stop, and talk to your GP or physiotherapist, if your pain is constant, wakes you at "
    "night, spreads into a leg, follows an injury, comes on suddenly or sharply, "
    "or gets much worse."
)
# Not in the seeds: the standard urgent signs. Back pain with new bladder or bowel trouble
# or numbness between the legs (cauda equina syndrome); chest pain, breathlessness,
# dizziness or fainting during exercise.
RED_FLAGS_URGENT = (
    "Get urgent medical help for new bladder or bowel trouble, numbness between your legs, "
    "chest pain, breathlessness, or dizziness or fainting."
)
# Not in the seeds: an MS relapse is new or worse symptoms lasting more than 24 hours.
RED_FLAGS_MS = "If MS symptoms are new, or worse for more than a day, contact your MS team or GP."

RED_FLAGS: tuple[str, ...] = (RED_FLAGS_SEE_A_DOCTOR, RED_FLAGS_URGENT, RED_FLAGS_MS)
"""Said once in the introduction of a person's first session, and on "safety" or "help"."""

# ---------------------------------------------------------------- pain during a session

PAIN_FIRST_WORDS = "Stopping now. Ease into a comfortable position, and breathe slowly."
PAIN_QUESTION = "How bad is it, from zero to ten?"
PAIN_ASK_AGAIN = "How bad is the pain, from zero to ten? Say a number."
FIRST_CHECK_PAIN = "First, let's check your pain."
"""Said when something would move the session on before a pain score is given."""

# 003_958f91f3908acaa3.txt: "Your pain or other symptoms should return to your pre exercise
# baseline within 30 minutes of exercising"; "If these exercises cause a large increase in
# your pain ... contact your GP".
END_FOR_PAIN = (
    "We will end the session here. Please rest in a comfortable position. "
    "Pain from exercise usually settles back to its usual level within about thirty minutes. "
    "If it does not, or it keeps getting worse, contact your GP or physiotherapist."
)

# 001_9f26b76734f82cee.txt: "If at any time during exercising pain occurs, the patient should
# stop immediately." 003_958f91f3908acaa3.txt: red is the zone to leave ("Aim to stay in the
# green or amber boxes"; "increasing rest time").
RED_STOP = "We will stop this exercise here."
PAIN_REST_SECONDS = 90
"""The guided rest after red pain (about one to two minutes), then the score again."""
PAIN_REST_WORDS = (
    "Let's rest for a minute and a half. Stay comfortable, breathe slowly, "
    "and let the pain settle. I will count it down."
)
PAIN_AGAIN_QUESTION = "How is the pain now, from zero to ten?"
PAIN_AGAIN_ASK_AGAIN = "How is the pain now? Say a number from zero to ten."

# 003_958f91f3908acaa3.txt: "Stop any exercise that significantly worsens your symptoms".
PAIN_EASED_OTHER_AREA = "Thank you. The pain has eased."
NO_OTHER_AREA = (
    "The rest of today's exercises work the same part of the body, so we will finish here. "
    "Please rest in a comfortable position."
)

# ---------------------------------------------------------------- pain at the start

SEVERE_PAIN = 8
"""From this score (or the red zone, if it starts higher) pain is too high to exercise."""

# 003_958f91f3908acaa3.txt: "If there is any doubt about your fitness to do these exercises or
# they cause you significant pain then please discuss matters further with your GP or
# physiotherapist."
START_TOO_HIGH = (
    "With pain this high, it is best not to exercise today. Please rest in a comfortable "
    "position, and contact your GP or physiotherapist if it does not ease."
)
START_HIGH = "Your pain is high today."
STOP_FOR_TODAY = (
    "All right. Let's stop for today. Please rest, and if the pain does not ease, "
    "contact your GP or physiotherapist."
)

# ---------------------------------------------------------------- tingling and numbness

# 004_cab36b27352f5f7d.txt: "What you do not want is an increase in radiation in your leg. If
# this is the case, you must stop this exercise". 003_958f91f3908acaa3.txt (nerve gliding):
# "Do not push into pain or tension."
# Said right after the person said "tingling" or "numb", so "it" is clear; the words
# themselves are left out, so the player's own voice never sounds like them.
TINGLING_ADVICE = (
    "Move gently into a comfortable position and let it settle. "
    "If it spreads down a leg, is new, or does not settle, talk to your GP or physiotherapist."
)
TINGLING_WORDS = f"Stopping this exercise. {TINGLING_ADVICE}"
