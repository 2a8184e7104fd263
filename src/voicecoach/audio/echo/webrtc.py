"""WebRTC's echo canceller (AEC3), through the `livekit` wheel's AudioProcessingModule.

The same interface as canceller.EchoCanceller (`process(mic, reference)`, blocks of any
length, 10 ms frames inside), so the two can be compared on the same audio:
`voicecoach eval-commands --mix-own-speech --canceller webrtc` and `--live`. Each frame
of what the speaker played goes in as the "reverse" (far-end) stream before the matching
microphone frame; AEC3 finds the delay between them itself. Its noise suppression and
high-pass filter are optional (`noise_suppression=True`, `high_pass=True`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from voicecoach.audio.echo.canceller import FloatArray, _Framer, _to_int16
from voicecoach.errors import DeviceError


class WebRtcCanceller:
    def __init__(
        self,
        sample_rate: int = 16000,
        *,
        noise_suppression: bool = False,
        high_pass: bool = False,
    ) -> None:
        try:
            from livekit import rtc  # imported here: a large package, needed only for this
        except ImportError as error:
            raise DeviceError(
                "WebRTC's echo canceller needs the livekit package. Fix: pip install livekit"
            ) from error

        self._rtc: Any = rtc
        self.sample_rate = sample_rate
        self.frame = sample_rate // 100
        self._apm: Any = rtc.AudioProcessingModule(
            echo_cancellation=True,
            noise_suppression=noise_suppression,
            high_pass_filter=high_pass,
        )
        self._framer = _Framer(self.frame)

    def process(self, mic: npt.ArrayLike, reference: npt.ArrayLike) -> FloatArray:
        m = np.asarray(mic, dtype=np.float32).reshape(-1)
        r = np.asarray(reference, dtype=np.float32).reshape(-1)
        if len(m) != len(r):
            raise ValueError(f"mic block has {len(m)} samples, reference {len(r)}")
        return self._framer.run(m, r, self._cancel)

    def _cancel(self, mic_frame: FloatArray, ref_frame: FloatArray) -> FloatArray:
        far = self._frame_of(ref_frame)
        self._apm.process_reverse_stream(far)
        near = self._frame_of(mic_frame)
        self._apm.process_stream(near)
        out = np.frombuffer(bytes(near.data), dtype=np.int16).astype(np.float32) / 32768.0
        result: FloatArray = out
        return result

    def _frame_of(self, samples: FloatArray) -> Any:
        data = _to_int16(samples).tobytes()
        return self._rtc.AudioFrame(data, self.sample_rate, 1, len(samples))
