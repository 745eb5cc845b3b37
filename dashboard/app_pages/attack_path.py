"""Attack path: the Lazarus / Bluenoroff chain stage by stage, each coloured by the score of
the checks that stop it, each check linked to its findings."""

from __future__ import annotations

from typing import Any

import streamlit as st

from dashboard import charts, data
from dashboard.app_pages import endpoints
from dashboard.app_pages.components import band_badge, plain, score_text, short_title, when


def render(mitigation_pages: dict[str, Any] | None = None) -> None:
    mitigation_pages = mitigation_pages or {}
    url = data.database_url()
    latest = data.latest_evaluation(url)
    st.title("Attack path")
    st.markdown(
        "How far a Lazarus / Bluenoroff (TraderTraitor) intrusion would get: each stage is "
        "coloured by the score of the checks that stop it (their weighted mean, as a "
        "mitigation's score). A stage whose checks judged nothing shows **No data**, never green."
    )
    if latest is None:
        st.info(
            "Nothing to show yet: run `vaultward collect` and `vaultward evaluate`, or `vaultward demo`.",
            icon=":material/info:",
        )
        return
    st.caption(f"Latest evaluation {when(latest['started_at'])}")
    path = data.attack_path(url)
    stages, controls = path["stages"], path["controls"]
    st.plotly_chart(charts.attack_path_chain(stages), width="stretch", config={"displayModeBar": False})
    for number, stage in enumerate(stages.to_dict("records"), start=1):
        _stage(
            number, stage, controls[controls["stage"] == stage["stage"]].to_dict("records"), mitigation_pages
        )


def _stage(number: int, stage: dict[str, Any], controls: list[dict[str, Any]], pages: dict[str, Any]) -> None:
    with st.container(border=True):
        left, right = st.columns([2, 5], gap="large")
        with left:
            # The title as a heading wraps; a metric's label is cut to one line.
            st.markdown(f"**{number}. {plain(stage['title'])}**")
            st.metric(
                f"{number}. {stage['title']}",
                score_text(stage["score"], stage["measured"]),
                label_visibility="collapsed",
            )
            st.markdown(band_badge(stage["band"]))
            st.caption(stage["description"])
            st.markdown(
                "  \n".join(
                    f"`{technique}` {title}"
                    for technique, title in zip(stage["techniques"], stage["technique_titles"], strict=True)
                )
            )
        with right:
            if not controls:
                st.markdown(":orange-badge[:material/help: No data] No check on this store stops this stage.")
                return
            if not stage["measured"]:
                st.markdown(
                    ":orange-badge[:material/help: No data] Its checks judged no resource: connect the "
                    "sources they read."
                )
            st.caption(
                f"{len(controls)} check{'' if len(controls) == 1 else 's'} · {stage['passed']} passed · "
                f"{stage['failed']} failed · {stage['unknown']} unknown"
                + (f" · {stage['waived']} waived" if stage["waived"] else "")
            )
            for control in controls:
                _control(control, pages.get(control["mitigation"]))
            if stage["stage"] == "workstation":  # what is open on the laptops, and signs it is happening
                endpoints.workstation_failures(data.database_url(), "attack_path")
                endpoints.takeover_alerts(data.database_url(), pages, "attack_path")


def _control(control: dict[str, Any], page: Any) -> None:
    title, score, link = st.columns([5, 3, 2], vertical_alignment="center")
    cites = f" · cites {', '.join(control['cites'])}" if control["cites"] else " · by its mitigation"
    title.markdown(f"**{plain(control['title'])}**  \n`{control['check_id']}`:gray[{plain(cites)}]")
    score.markdown(
        f"**{score_text(control['score'], control['measured'])}**  \n"
        f":gray[{control['passed']} pass · {control['failed']} fail · {control['unknown']} unknown]"
    )
    if page is not None:
        with link:
            st.page_link(
                page,
                label="Findings",
                icon=":material/arrow_forward:",
                query_params={"check": control["check_id"]},
                help=f"{short_title(control['mitigation'])} findings",
            )
    else:
        link.caption(data.mitigation_title(control["mitigation"]))
