"""Write the reader/cleaner fixtures in tests/data from small real snippets (run: python make_fixtures.py).

Each file is written with Python so its bytes are exactly what the test expects:
GBK, Big5 and BOM'd UTF-8 text, an HTML page, JSONL and CSV records, and bad inputs.
"""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

HERE = Path(__file__).parent

SIMP = ("阳山县持续推进基层医疗卫生服务体系建设\n"
        "发布时间：2024-05-31\n"
        "为满足当地群众医疗健康需求，阳山县以机制为纲、技术为经、服务作纬、人才为梭，"
        "全方位织密织牢基层医疗卫生服务网。依托省第二人民医院与县人民医院开启“组团式”托管帮扶的契机，"
        "在县人民医院、13间乡镇卫生院、159个村卫生站全覆盖铺设网络医院软硬件。\n")
TRAD = ("陽山縣持續推進基層醫療衛生服務體系建設\n"
        "發布時間:2024-05-31\n"
        "為滿足當地群眾醫療健康需求,陽山縣以機制為綱、技術為經、服務作緯、人才為梭,"
        "全方位織密織牢基層醫療衛生服務網。依託省第二人民醫院與縣人民醫院開啟「組團式」託管幫扶的契機,"
        "在縣人民醫院、13間鄉鎮衛生院、159個村衛生站全覆蓋鋪設網絡醫院軟硬件。\n")
PINYIN = "本報(bào)訊 廣西壯族自治區(qū)衛(wèi)生計(jì)生委獲悉,,廣西針對(duì)基層醫(yī)療衛(wèi)生基礎(chǔ)薄弱等難點(diǎn)問題。\n"

HTML = """<!DOCTYPE html>
<html><head><meta charset="utf-8">
<title>年终专稿·医疗帮扶|对口帮扶汇聚起更大力量_澎湃号</title>
<meta property="og:title" content="年终专稿·医疗帮扶|对口帮扶汇聚起更大力量">
<meta property="article:published_time" content="2023-12-28T09:00:00+08:00">
</head><body>
<div class="nav"><a href="/">首页</a> | <a href="/s">搜索</a> | 扫一扫关注</div>
<article>
<h1>年终专稿·医疗帮扶|对口帮扶汇聚起更大力量</h1>
<p>从三级医院对口帮扶县级医院，到医疗人才“组团式”援疆援藏援青；从“万名医师支援农村卫生工程”，到国家医疗队巡回医疗……通过对口帮扶，促进以人才为代表的资源有序流动共享，已成为推动我国优质医疗资源下沉与扩面的重要力量之一。</p>
<p>10月25日，国家卫生健康委在新疆维吾尔自治区喀什市召开新闻发布会，介绍医疗人才“组团式”支援工作有关情况。会上，国家卫生健康委医政司副司长介绍，截至目前，已向西藏自治区、新疆维吾尔自治区选派高水平人才3175名。</p>
<p>拉萨市、日喀则市、山南市、林芝市、昌都市、那曲市6个市的人民医院成功创建三级甲等医院。阿里地区人民医院先后创成二甲、三乙医院。</p>
</article>
<footer>粤ICP备2021102844号-3 版权所有</footer>
</body></html>
"""

RECORDS = [
    {"title": "阳山县持续推进基层医疗卫生服务体系建设", "url": "https://example.org/a/1", "published": "2024-05-31",
     "text": "依托省第二人民医院与县人民医院开启“组团式”托管帮扶的契机，在县人民医院、13间乡镇卫生院全覆盖铺设网络医院软硬件。"},
    {"content": "饶平县主动上门对接省内高水平医院，成功与广东省第二人民医院达成合作意向，建设广东省第二人民医院饶平医院。",
     "published": "2024年10月17日"},
]


def main() -> None:
    (HERE / "simplified_utf8.txt").write_bytes(SIMP.encode("utf-8"))
    (HERE / "simplified_utf8_bom.txt").write_bytes(b"\xef\xbb\xbf" + SIMP.encode("utf-8"))
    (HERE / "simplified_gbk.txt").write_bytes(SIMP.encode("gbk"))
    (HERE / "traditional_gb18030.txt").write_bytes(TRAD.replace("「", "“").replace("」", "”").encode("gb18030"))
    (HERE / "traditional_big5.txt").write_bytes(TRAD.encode("big5"))
    (HERE / "pinyin_glossed.txt").write_bytes(PINYIN.encode("utf-8"))
    (HERE / "page.html").write_bytes(HTML.encode("utf-8"))
    lines = [json.dumps(r, ensure_ascii=False) for r in RECORDS]
    lines.insert(1, '{"text": "这一行缺了结尾的引号}')  # line 2: malformed
    lines.append('["not", "an", "object"]')  # line 4: not an object
    lines.append(json.dumps({"title": "无正文"}, ensure_ascii=False))  # line 5: no text
    (HERE / "articles.jsonl").write_bytes(("\n".join(lines) + "\n").encode("utf-8"))
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["title", "url", "published", "text"])
    w.writerow([RECORDS[0]["title"], RECORDS[0]["url"], "2024/05/31", RECORDS[0]["text"]])
    w.writerow(["", "", "", RECORDS[1]["content"]])
    buf.write("只有,三个,字段\n")  # row 3: wrong field count
    w.writerow(["标题", "", "", ""])  # row 4: empty text
    (HERE / "articles.csv").write_bytes(buf.getvalue().encode("utf-8"))
    (HERE / "binary.bin.txt").write_bytes(bytes(range(256)) * 8)
    (HERE / "undecodable.txt").write_bytes(bytes([0xC3, 0x28, 0xA0, 0xA1, 0xFF, 0xFE, 0x81, 0x30]) * 40)
    (HERE / "empty.txt").write_bytes(b"")
    (HERE / "dup_a").mkdir(exist_ok=True)
    (HERE / "dup_b").mkdir(exist_ok=True)
    (HERE / "dup_a" / "same.txt").write_bytes("第一篇：阳山县人民医院。".encode("utf-8"))
    (HERE / "dup_b" / "same.txt").write_bytes("第二篇：饶平县人民医院。".encode("gbk"))
    (HERE / "no_articles").mkdir(exist_ok=True)
    (HERE / "no_articles" / "notes.md").write_text("not an article\n", encoding="utf-8")


if __name__ == "__main__":
    main()
