"""Interface labels in English and Chinese. ``t(key, lang)``; an unknown key is a bug."""

from __future__ import annotations

LANGS = ("en", "zh")

LABELS: dict[str, tuple[str, str]] = {
    "app_title": ("Mountain Atlas", "山区地图集"),
    "app_subtitle": (
        "Maps for UN General Assembly resolution A/RES/62/196, Sustainable mountain development (2007)",
        "联合国大会第62/196号决议《山区可持续发展》（2007年）地图",
    ),
    "nav_overview": ("World", "世界"),
    "nav_partnership": ("Mountain Partnership", "山区伙伴关系"),
    "nav_indicators": ("Indicators", "指标"),
    "nav_resolution": ("Resolution text", "决议文本"),
    "language": ("Language", "语言"),
    "layers": ("Layers", "图层"),
    "indicator": ("Indicator", "指标"),
    "none": ("None", "无"),
    "year": ("Year", "年份"),
    "latest": ("Latest available", "最新可得"),
    "no_data": ("No data", "无数据"),
    "not_listed": ("Not listed in our sources", "我们的资料中未列出"),
    "listed_member": ("Listed member (government)", "已列出的成员（政府）"),
    "listed_unsure": ("Listed, name uncertain in source", "已列出（资料中名称不确定）"),
    "member_state": ("Member state", "成员国"),
    "approx_area": ("Approximate area (not the legal perimeter)", "大致范围（非法定边界）"),
    "key_figures": ("Key figures", "关键数据"),
    "mountain_area": ("Mountain area", "山区面积"),
    "mountain_share": ("Mountain share of land", "山区占陆地比例"),
    "members": ("Members", "成员"),
    "published_figures": ("Published figures, with their sources", "已公布的数据及其来源"),
    "computed_here": ("Computed here", "本站计算"),
    "class_chart": ("Mountain area by class", "各等级山区面积"),
    "linked_paragraphs": ("Paragraphs of the resolution this map illustrates", "本地图所示的决议段落"),
    "official_text": ("Official text (Chinese)", "正式文本（中文）"),
    "colon": (": ", "："),
    "summary_en": ("Unofficial English summary by Mountain Atlas", "Mountain Atlas 撰写的非正式英文摘要"),
    "read_in_context": ("Read in the full text", "在全文中阅读"),
    "open_map": ("Open map", "打开地图"),
    "source": ("Source", "来源"),
    "licence": ("Licence", "许可"),
    "sources": ("Sources", "来源"),
    "download": ("Download", "下载"),
    "download_png": ("Snapshot PNG", "快照 PNG"),
    "download_svg": ("Snapshot SVG", "快照 SVG"),
    "download_pdf": ("Snapshot PDF", "快照 PDF"),
    "download_csv": ("Data CSV", "数据 CSV"),
    "download_geojson": ("Layer GeoJSON", "图层 GeoJSON"),
    "embed": ("Embed this map", "嵌入此地图"),
    "embed_help": ("Paste this into your web page. It shows the map as you see it now.", "将此代码粘贴到您的网页中，显示当前地图。"),
    "table": ("Table (text alternative to the map)", "表格（地图的文字替代）"),
    "notice_bad_param": ("Ignored the URL parameter {name}: not an allowed value. Showing the default instead.", "已忽略网址参数 {name}：不是允许的值，显示默认值。"),
    "data_problem": ("This part cannot be shown because a data file is missing or damaged: {problem}", "由于数据文件缺失或损坏，无法显示此部分：{problem}"),
    "online_tiles": ("Online street map (OpenStreetMap, loads from the internet)", "在线街道地图（OpenStreetMap，需联网）"),
    "country": ("Country", "国家"),
    "value": ("Value", "数值"),
    "rank": ("Rank", "排名"),
    "class": ("Class", "等级"),
    "area_km2": ("Area (km²)", "面积（平方公里）"),
    "area": ("Area", "面积"),
    "unofficial_note": (
        "English summaries are unofficial, written by the Mountain Atlas project. The official text is the Chinese version shown.",
        "英文摘要为 Mountain Atlas 项目撰写的非正式摘要。正式文本为所示中文版本。",
    ),
    "completeness": ("How complete this list is", "名单完整程度"),
    "timeline": ("Member count over time", "成员数量变化"),
    "governments": ("Governments", "政府"),
    "intergovernmental_orgs": ("Intergovernmental organizations", "政府间组织"),
    "major_group_orgs": ("Major-group organizations", "主要群体组织"),
    "subnational_authorities": ("Subnational authorities", "地方政府"),
    "maps_for_paragraph": ("Maps illustrating this paragraph", "展示本段的地图"),
    "footnotes": ("Footnotes", "脚注"),
    "choose_view": ("Show on", "显示范围"),
    "ranked_table": ("Ranked table", "排名表"),
    "approximate": ("approximate", "大致"),
    "computed_note": ("computed from the 5′ elevation grid; see method", "根据5′高程网格计算；见方法说明"),
    "places": ("Places the resolution names", "决议提及的地点"),
    "date": ("Date", "日期"),
    "paragraphs": ("Paragraphs", "段落"),
    "category": ("Category", "类别"),
    "as_of": ("As of", "截至"),
    "snapshot_made": ("Made with Mountain Atlas on {date}", "由 Mountain Atlas 于 {date} 制作"),
    "scale": ("Scale", "比例尺"),
    "scale_at": ("true distance at {lat}", "{lat}处的实际距离"),
    "live_map": ("Live map", "在线地图"),
    "cite_as": ("Cite as", "引用"),
    "data_files": ("Data", "数据"),
    "exported_on": ("Exported on {date}", "导出日期：{date}"),
    # figures and their explanations
    "km2": ("km²", "平方公里"),
    "range_area": ("Mountain area of the range", "山脉山区面积"),
    "range_area_help": (
        "Mountain cells (classes 1-6) of the 5′ elevation grid inside the range envelope drawn by Mountain Atlas.",
        "Mountain Atlas 绘制的山脉包络范围内5′高程网格的山区像元（1-6级）。",
    ),
    "body_area": ("Approximate area of {body}", "{body}大致范围面积"),
    "why_differ": (
        "Why the figures differ: the range area counts every mountain cell in the envelope ({range_area}); the approximate "
        "area of {body} counts only those within member territory ({body_area}); published figures ({published}) use "
        "the body's own perimeter, which this map does not have.",
        "为何数字不同：山脉面积计入包络范围内的全部山区像元（{range_area}）；{body}大致范围只计入成员领土内的部分（{body_area}）；"
        "已公布的数字（{published}）采用该机构自己的边界，本地图没有该边界。",
    ),
    "members_count": ("{states} states", "{states}个国家"),
    "members_count_plus": ("{states} states + {others}", "{states}个国家 + {others}"),
    "members_of": ("Members of {body}", "{body}成员"),
    "published_value": ("Published figure", "已公布数字"),
    "no_published": ("No published figure found in our sources.", "我们的资料中没有找到已公布的数字。"),
    "class_empty": (
        "Classes {classes} are empty here: no cell of the 5′ elevation grid in this range reaches {threshold} "
        "(the highest: {top}). The grid holds one elevation per cell about 9 km across, so narrower summits do not show.",
        "此处第{classes}级为空：本山脉5′高程网格中没有像元达到{threshold}（最高：{top}）。"
        "该网格每个约9公里宽的像元只有一个高程值，更窄的山峰无法显示。",
    ),
    "country_figures": ("{name}: mountain figures", "{name}：山区数据"),
    "land_area": ("Land area", "陆地面积"),
    "find": ("Find a country or place", "查找国家或地点"),
    "find_help": ("Zooms the map to it and shows its figures.", "将地图缩放到该处并显示其数据。"),
    "find_country": ("Country", "国家"),
    "find_place": ("Place", "地点"),
    "home_intro": (
        "Mountain Atlas maps the world's mountains and the regional arrangements named in UN General Assembly resolution "
        "A/RES/62/196 on sustainable mountain development (2007). Every figure is computed from open data or quoted with its source.",
        "Mountain Atlas 绘制世界山区地图，以及联合国大会2007年关于山区可持续发展的第62/196号决议所提及的区域安排。"
        "每个数字都由开放数据计算得出，或注明来源引用。",
    ),
    "ways_in": ("Start with", "从这里开始"),
    "nav_compare": ("Compare ranges", "比较山脉"),
    "menu": ("Menu", "菜单"),
    "provenance": ("Full provenance of these data", "这些数据的完整来源说明"),
    "not_a_state": ("not a state", "非国家"),
    "role": ("Role", "角色"),
    "member": ("Member", "成员"),
    "event": ("Event", "事件"),
    "longitude": ("Longitude", "经度"),
    "latitude": ("Latitude", "纬度"),
    "definition": ("Definition", "定义"),
    "name": ("Name", "名称"),
    "range": ("Range", "山脉"),
    "note": ("Note", "说明"),
    "count": ("Count", "数量"),
    "range_outline": ("Outline of the range's mountain cells", "山脉山区像元轮廓"),
    "place_item": ("Conference or event site (details in the tooltip)", "会议或活动地点（详情见提示框）"),
}


def t(key: str, lang: str = "en", **fmt) -> str:
    """The label ``key`` in ``lang`` ("en" or "zh"), formatted with ``fmt``."""
    en, zh = LABELS[key]
    text = zh if lang == "zh" else en
    return text.format(**fmt) if fmt else text


def colon(lang: str) -> str:
    """The label separator: ": " in English, the full-width "：" in Chinese."""
    return t("colon", lang)


def fmt_number(v, lang: str = "en", digits: int | None = None) -> str:
    """A number for people: thousands separators, whole numbers from 100 up, "" for unknown.

    ``digits`` fixes the decimals; otherwise 100 and more get none, 1-100 one, smaller three
    significant digits. Chinese uses the same separators (as Chinese statistics publish them).
    """
    import math

    if v is None or v is pd_NA or (isinstance(v, float) and math.isnan(v)):
        return ""
    v = float(v)
    if digits is not None:
        return f"{v:,.{digits}f}"
    if v == 0:
        return "0"
    if abs(v) >= 100:
        return f"{v:,.0f}"
    if abs(v) >= 1:
        return f"{v:,.1f}"
    return f"{v:.3g}"


def fmt_area(v, lang: str = "en") -> str:
    """An area in square kilometres: "192,561 km²" / "192,561 平方公里"; "" for unknown."""
    s = fmt_number(v, lang)
    return f"{s} {t('km2', lang)}" if s else ""


def fmt_pct(v, lang: str = "en", digits: int = 1) -> str:
    """A percentage: "30.9 %"; "" for unknown."""
    s = fmt_number(v, lang, digits)
    return f"{s} %" if s else ""


def unit_label(label: str, unit: str) -> str:
    """A column label with its unit in brackets (full-width in Chinese labels)."""
    if not unit:
        return label
    wide = any("\u4e00" <= c <= "\u9fff" for c in label)
    return f"{label}（{unit}）" if wide else f"{label} ({unit})"


class _NA:
    pass


try:  # pandas' NA (kept optional: this module is imported everywhere)
    from pandas import NA as pd_NA
except ImportError:  # pragma: no cover
    pd_NA = _NA()
