"""skill_metrics: crackerjack's SkillMetricsTracker API, written through the skill-metrics CLI.

Change one import (``from skill_metrics import SkillMetricsTracker, track_skill``) and the
application becomes a writer that follows every migration phase. Standard library only.
"""

from .tracker import (
    DEFAULT_COMPLETION_TIMEOUT_SECONDS,
    SkillInvocation,
    SkillMetrics,
    SkillMetricsTracker,
    SkillMetricsUnavailable,
    get_tracker,
    track_skill,
)

__all__ = [
    "DEFAULT_COMPLETION_TIMEOUT_SECONDS",
    "SkillInvocation",
    "SkillMetrics",
    "SkillMetricsTracker",
    "SkillMetricsUnavailable",
    "get_tracker",
    "track_skill",
]
