"""The synthetic voices, and which of them are held out for evaluation. The one place both are defined.

A voice configuration is an engine voice (with an espeak-ng variant); per sentence it is further varied by
rate / pitch (espeak-ng) or duration stretch / f0 (flite) and output level. HELD_OUT configurations are
never used for --split train and are the only ones used for --split heldout, so evaluation on them measures
unseen voices.
"""
import random
from dataclasses import dataclass

ESPEAK_VOICES = ["en-us", "en-gb", "en-gb-scotland", "en-gb-x-rp", "en-gb-x-gbclan", "en-gb-x-gbcwmd", "en-029",
                 "en-us-nyc"]
# Human-sounding variants only (no robots, demons or PA announcers).
ESPEAK_VARIANTS = ["m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "f1", "f2", "f3", "f4", "f5", "klatt", "klatt2",
                   "klatt3", "klatt4", "croak", "whisper", "whisperf", "adam", "Alex", "Alicia", "Andrea", "Andy",
                   "Annie", "aunty", "belinda", "benjamin", "caleb", "david", "ed", "edward", "Gene", "john",
                   "linda", "max", "Michael", "Mike", "paul", "quincy", "rob", "robert", "steph", "steph2",
                   "grandpa", "grandma", "norbert", "shelby", "travis", "victor", "zac"]
FLITE_VOICES = ["kal", "kal16", "awb", "rms", "slt"]
FLITE_FEMALE = {"slt"}

# (engine, voice, variant): whole configurations reserved for evaluation.
HELD_OUT = [
    ("flite", "slt", ""),
    ("espeak-ng", "en-gb-scotland", "f3"),
    ("espeak-ng", "en-029", "m7"),
]

ESPEAK_RATE_WPM = (120, 220)
ESPEAK_PITCH = (25, 75)
FLITE_DURATION_STRETCH = (0.8, 1.3)
FLITE_F0_MALE = (85, 140)
FLITE_F0_FEMALE = (150, 220)
PEAK_DBFS = (-20.0, -1.0)
FLITE_SHARE = 0.25  # flite voices are few but clean; espeak-ng gives the variety


@dataclass(frozen=True)
class VoiceConfig:
    engine: str
    voice: str
    variant: str
    rate: int = 0  # espeak-ng words per minute
    pitch: int = 0  # espeak-ng 0..99
    stretch: float = 1.0  # flite duration_stretch
    f0: int = 0  # flite int_f0_target_mean (Hz)
    peak_dbfs: float = -1.0

    def describe(self) -> str:
        if self.engine == "espeak-ng":
            return (f"espeak-ng:{self.voice}+{self.variant} rate={self.rate} pitch={self.pitch} "
                    f"peak={self.peak_dbfs:.1f}")
        return f"flite:{self.voice} stretch={self.stretch:.2f} f0={self.f0} peak={self.peak_dbfs:.1f}"


def _train_configurations():
    held_out = set(HELD_OUT)
    espeak = [("espeak-ng", v, var) for v in ESPEAK_VOICES for var in ESPEAK_VARIANTS
              if ("espeak-ng", v, var) not in held_out]
    flite = [("flite", v, "") for v in FLITE_VOICES if ("flite", v, "") not in held_out]
    return espeak, flite


def configurations(split: str):
    """(espeak-ng configurations, flite configurations) a split draws from."""
    if split == "train":
        return _train_configurations()
    if split == "heldout":
        return ([c for c in HELD_OUT if c[0] == "espeak-ng"], [c for c in HELD_OUT if c[0] == "flite"])
    raise ValueError(f"unknown split {split!r}")


def draw(split: str, seed: int, index: int, text: str) -> VoiceConfig:
    """The voice for one sentence: a pure function of its arguments, whatever process draws it."""
    rng = random.Random(f"{split}:{seed}:{index}:{text}")
    espeak, flite = configurations(split)
    use_flite = bool(flite) and (not espeak or rng.random() < FLITE_SHARE)
    engine, voice, variant = rng.choice(flite if use_flite else espeak)
    peak = round(rng.uniform(*PEAK_DBFS), 1)
    if engine == "flite":
        f0_range = FLITE_F0_FEMALE if voice in FLITE_FEMALE else FLITE_F0_MALE
        return VoiceConfig(engine, voice, variant, stretch=round(rng.uniform(*FLITE_DURATION_STRETCH), 2),
                           f0=rng.randint(*f0_range), peak_dbfs=peak)
    return VoiceConfig(engine, voice, variant, rate=rng.randint(*ESPEAK_RATE_WPM), pitch=rng.randint(*ESPEAK_PITCH),
                       peak_dbfs=peak)
