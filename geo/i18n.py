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
    "legend": ("Legend", "图例"),
    "show_legend": ("Show the legend", "显示图例"),
    "hide_legend": ("Hide the legend", "隐藏图例"),
    "wheel_hint": ("Use Ctrl + scroll (⌘ + scroll on a Mac) to zoom the map", "按住 Ctrl（Mac 上为 ⌘）并滚动以缩放地图"),
    "touch_hint": ("Use two fingers to move the map", "请用双指移动地图"),
    "map_load_error": ("This map could not load a file it needs:", "本地图无法加载所需文件："),
    "map_alt": ("Map: {title}", "地图：{title}"),
    "embed_fixed": ("Fixed size", "固定尺寸"),
    "embed_responsive": ("Responsive (fills the width, keeps the aspect ratio)", "自适应（占满宽度，保持宽高比）"),
    "embed_static": ("Static map (works in sandboxed frames, no live controls)", "静态地图（可用于沙盒框架，无交互控件）"),
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
    "counts_table": ("The counts by date, with notes and sources", "按日期的数量、说明及来源"),
    "governments": ("Governments", "政府"),
    "intergovernmental_orgs": ("Intergovernmental organizations", "政府间组织"),
    "major_group_orgs": ("Major-group organizations", "主要群体组织"),
    "subnational_authorities": ("Subnational authorities", "地方政府"),
    "maps_for_paragraph": ("Maps illustrating this paragraph", "展示本段的地图"),
    "footnotes": ("Footnotes", "脚注"),
    "choose_view": ("Show on", "显示范围"),
    "ranked_table": ("Ranked table", "排名表"),
    "approximate": ("approximate", "大致"),
    "computed_note": ("computed from the 30″ grid where it covers, else the 5′ grid with a sub-grid model; see method",
                      "30″网格覆盖处据其计算，其余据5′网格及次网格模型计算；见方法说明"),
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
    # the resolution reader
    "reader_intro": (
        "Resolution {symbol}, *Sustainable mountain development*, was adopted by the United Nations General Assembly "
        "at its sixty-second session, on {date} ({meeting}). It has {n_pp} preambular paragraphs (PP1–PP{n_pp}): the "
        "opening paragraphs that recall earlier decisions and note the context, and decide nothing; and {n_op} "
        "operative paragraphs (OP1–OP{n_op}), numbered in the official text: what the Assembly stresses, encourages, "
        "invites and requests. {n_fn} footnotes (FN) give the references.",
        "第{symbol}号决议《山区可持续发展》由联合国大会第六十二届会议于{date}（{meeting}）通过。决议有 {n_pp} 个序言段落"
        "（PP1–PP{n_pp}）：回顾以往决定、说明背景的开头段落，不作决定；以及 {n_op} 个执行段落（OP1–OP{n_op}），"
        "在正式文本中编号：大会强调、鼓励、邀请和请求的内容。{n_fn} 个脚注（FN）列出参考文献。",
    ),
    "reader_date": ("19 December 2007", "2007年12月19日"),
    "reader_meeting": ("78th plenary meeting", "第78次全体会议"),
    "reader_how": (
        "Choose a paragraph (contents, the text, or Previous / Next): its map is drawn beside it. Each paragraph has its own link (?p=OP28).",
        "选择一个段落（目录、正文或“上一段/下一段”），其地图显示在旁边。每个段落都有自己的链接（?p=OP28）。",
    ),
    "official_document": ("Official document {symbol} from the UN Official Document System", "联合国正式文件系统中的正式文件 {symbol}"),
    "contents": ("Contents", "目录"),
    "preamble": ("Preambular paragraphs (PP)", "序言段落（PP）"),
    "operative": ("Operative paragraphs (OP)", "执行段落（OP）"),
    "footnote_kind": ("Footnotes (FN)", "脚注（FN）"),
    "previous": ("Previous", "上一段"),
    "next": ("Next", "下一段"),
    "show_map": ("Show beside the text", "在旁边显示"),
    "chosen": ("Shown beside the text", "已在旁边显示"),
    "no_map": ("This paragraph has no map in the atlas.", "本地图集没有本段的地图。"),
    "about": ("About", "关于"),
    "map_for": ("Map for {pid}", "{pid} 的地图"),
    "which_map": ("Map", "地图"),
    "open_full_map": ("Open this map on its own page", "在单独页面打开此地图"),
    "full_text": ("Full text", "全文"),
    # the comparison page
    "nav_compare": ("Compare the ranges", "山脉比较"),
    "compare_intro": (
        "The Alps, the Carpathians, the Hindu Kush-Himalaya and the Andes side by side. Areas are computed here (approximate): "
        "from the 30″ elevation grid where it covers, elsewhere from the 5′ grid with a sub-grid model; published figures are "
        "shown as published, with their sources.",
        "阿尔卑斯山脉、喀尔巴阡山脉、兴都库什-喜马拉雅和安第斯山脉并列比较。面积由本站计算（大致）：30″高程网格覆盖处据其计算，其余据5′网格及次网格模型计算；"
        "已公布的数据按原样列出并注明来源。",
    ),
    "compare_item": ("Compared", "比较项"),
    "compare_range": ("Range", "山脉"),
    "compare_body": ("Regional body", "区域机构"),
    "compare_member": ("Member", "成员"),
    "compare_members_n": ("Members (number)", "成员数量"),
    "compare_members": ("Members", "成员"),
    "compare_mountain_km2": ("Mountain area in the range, computed here (km²)", "山脉范围内的山区面积，本站计算（平方公里）"),
    "compare_approx_km2": ("Mountain area within member states, approximate (km²)", "成员国境内的山区面积，大致（平方公里）"),
    "compare_published_km2": ("Published area figures (km², as published)", "已公布的面积（平方公里，按原样）"),
    "compare_table": ("The four ranges", "四大山脉"),
    "compare_maps": ("At one scale", "同一比例尺"),
    "compare_map_caption": (
        "All four maps at one scale: each frame is {km} km wide, in an equal-area projection centred on its range, so "
        "sizes compare truly. Dark: mountain area in the range; coloured: the body's member states.",
        "四幅地图比例尺相同：每个图框宽 {km} 公里，采用以山脉为中心的等积投影，大小可直接比较。深色：山脉范围内的山区；彩色：该机构的成员国。",
    ),
    "compare_map_alt": ("Map of {name} and the member states of {body}, frame {km} km wide", "{name}及{body}成员国地图，图框宽 {km} 公里"),
    "compare_published": ("Published figures, with their sources", "已公布的数据及其来源"),
    "compare_sdg": ("SDG indicators of the member countries", "成员国的可持续发展目标指标"),
    "compare_sdg_note": (
        "Latest year available for each country, in brackets; national totals unless the title says mountain. "
        "\"No data\": no value in our SDG extract (the European Union is not a country in it).",
        "括号内为各国最新可得年份；除标题注明山区外均为全国数据。“无数据”：我们的SDG数据摘录中没有数值（欧洲联盟不是其中的国家）。",
    ),
    "compare_download": ("Comparison CSV (sources and licence on every row)", "比较表 CSV（每行注明来源与许可）"),
    "compare_embed": ("Embed this comparison", "嵌入此比较"),
    "compare_open": ("Compare the ranges — Mountain Atlas ↗", "山脉比较 — Mountain Atlas ↗"),
    # figures and their explanations
    "km2": ("km²", "平方公里"),
    "range_area": ("Mountain area of the range", "山脉山区面积"),
    "range_area_help": (
        "Mountain cells (classes 1–6, and 7, inner basins, on the 30″ grid) inside the range envelope drawn by Mountain Atlas: from the 30″ elevation grid "
        "where it covers (0–50°N, 0–90°E), elsewhere from the 5′ grid with a sub-grid model.",
        "Mountain Atlas 绘制的山脉包络范围内的山区像元（1–6级，及30″网格上的第7级内陆盆地）：30″高程网格覆盖处（北纬0–50°、东经0–90°）据其计算，"
        "其余据5′网格及次网格模型计算。",
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
    "class_empty_fine": (
        "Classes {classes} are empty here: no cell of the 30″ elevation grid (about 1 km) in this range reaches {threshold}.",
        "此处第{classes}级为空：本山脉30″高程网格（约1公里）中没有像元达到{threshold}。",
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
    "menu": ("Menu", "菜单"),
    "provenance": ("Full provenance of these data", "这些数据的完整来源说明"),
    "provenance_in_english": ("The build records below are in English.",
                              "以下每个数据文件的构建记录（说明、来源）按原文以英文列出。"),
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
