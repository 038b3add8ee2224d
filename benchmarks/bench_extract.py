"""Indicator extraction from 1 KB texts: the fast path against the plain reference path.

The texts are alerts and posts of about 1 KB (UTF-8) in several languages and scripts, with and
without indicators. Both paths run in the same process, alternating text by text, so a loaded
machine slows both alike; the ratio is the figure to compare across runs. The reference path
(tests/indicators/reference) shares the identifier types, so `--before CHECKOUT` also times an
older checkout's whole `extract` against this one's, alternating between processes.

    .venv/bin/python benchmarks/bench_extract.py [--rounds 40] [--before CHECKOUT]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
Extract = Callable[[str, Any], Any]

TEXTS: dict[str, tuple[str | None, str]] = {
    "english_alert": (
        "GR",
        "URGENT alert from the Evros unit, 14.11.2026 03:40. Smuggler network recruiting on "
        "Telegram and Facebook for crossings Turkey->Greece. Contacts: +90 532 123 45 67, "
        "0090-533-765-4321 and (+92) 300 1234567; Urdu post gives ۰۳۰۰-۱۲۳۴۵۶۷. Payment USDT "
        "TRC-20 TNFNeRegyscaqRC9U9mYFh6tL4BQo5CWVg and BTC "
        "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq. Channel https://t.me/evros_crossing and "
        "page https://www.facebook.com/evros.travel.agency/?ref=share. Driver carries passport "
        "PAK AB1234567, van plate ΙΚΧ-1234, e-mail agent.evros@gmail.com. Mother ship IMO "
        "9074729 seen off Lesvos. Group of 42 persons incl. 9 minors, price 3500 EUR each, "
        "departure expected within 48 hours. Please check your holdings and report any matches "
        "to the coordination desk, ref 2026/EV/117. Weather: wind 4 Bft from the north-east, "
        "sea state moderate; coast guard patrol boats on station at 02:00 and 05:30.",
    ),
    "english_plain": (
        "GR",
        "Situation report, week 46. Arrivals on the eastern Aegean islands stayed below the "
        "seasonal average, with most crossings attempted at night from the coast between "
        "Ayvalik and Dikili. Groups were smaller than last month, usually twenty to thirty "
        "persons, and included more families with young children. Interviews point to the same "
        "organisers as in October: payment is held by a broker in Istanbul and released on "
        "arrival, and the price has risen to about three thousand euros per adult. Several "
        "persons reported being kept in a warehouse for up to a week before departure, without "
        "enough food or water, and being threatened when they asked to leave. Medical teams "
        "treated cases of hypothermia and minor injuries. The joint team recommends closer "
        "cooperation with the Turkish liaison officers on the warehouse locations and a review "
        "of the night patrol schedule before the winter storms. Next report due on Monday.",
    ),
    "urdu_post": (
        "PK",
        "ڈنکی یورپ! یونان گیم کے لیے ایجنٹ سے رابطہ کریں۔ ایران اور ترکی کے راستے محفوظ سفر، "
        "ادائیگی پہنچنے پر۔ واٹس ایپ: ۰۳۰۰-۱۲۳۴۵۶۷ یا \u200f+۹۲ ۳۲۱ ۷۶۵۴۳۲۱ "
        "https://wa.me/923001234567?utm_source=facebook&utm_medium=post۔ پاسپورٹ PAK AB1234567 "
        "ضروری ہے۔ گاڑی نمبر LEA-1234۔ ٹیلیگرام چینل @dunki_europe_official پر مزید معلومات۔ "
        "ہر ہفتے گروپ روانہ ہوتا ہے، جگہ محدود ہے، جلدی کریں اور اپنی سیٹ بک کروائیں۔ "
        "خاندان کے ساتھ سفر کرنے والوں کے لیے خاص رعایت، بچوں کا کرایہ آدھا۔",
    ),
    "urdu_plain": (
        "PK",
        "یونان جانے والے نوجوانوں کے خاندانوں سے درخواست ہے کہ وہ ایجنٹوں کے جھوٹے وعدوں پر "
        "یقین نہ کریں۔ سمندر کا سفر انتہائی خطرناک ہے اور پچھلے سال سینکڑوں لوگ ڈوب گئے۔ "
        "اگر آپ کا کوئی رشتہ دار لاپتہ ہے تو مقامی پولیس یا ہلال احمر سے رابطہ کریں۔ "
        "سرکاری معلومات کے بغیر کسی کو پیسے نہ دیں۔ "
        "ہمارے دفتر میں ہر جمعہ کو مفت مشورہ دیا جاتا ہے، اور بیرون ملک قانونی طریقے سے "
        "کام کرنے کے بارے میں معلومات بھی دستیاب ہیں۔ اپنے بچوں کی حفاظت کریں، اور "
        "کسی بھی مشکوک پیشکش کی اطلاع فوری طور پر متعلقہ اداروں کو دیں۔",
    ),
    "arabic_post": (
        "LY",
        "رحلة حرقة إلى إيطاليا من طرابلس، الدفع عند الوصول. قارب كبير وآمن، مكان محدود. "
        "واتساب: \u200f+٢١٨ ٩١ ٢٣٤ ٥٦٧٨ أو تيليجرام @harraga_libya، جواز سفر SYR N01234567 "
        "مطلوب للتسجيل. التحويل عبر USDT TNFNeRegyscaqRC9U9mYFh6tL4BQo5CWVg. "
        "رقم اللوحة ١٢٣٤٥ ليبيا. للاستفسار راسلنا على https://t.me/harraga_libya_channel "
        "الرحلات كل أسبوع من زوارة وصبراتة، والأماكن محدودة جدا، احجز مكانك الآن "
        "وادفع نصف المبلغ مقدما والباقي عند الوصول إلى لامبيدوزا.",
    ),
    "arabic_plain": (
        "LY",
        "تحذير للعائلات: رحلات البحر من السواحل الليبية خطيرة جدا، وقد فقد كثير من الشباب "
        "حياتهم في الشتاء الماضي. لا تثقوا بالوعود عن قوارب كبيرة وآمنة، فالمهربون يضعون "
        "عشرات الأشخاص في قوارب مطاطية صغيرة. إذا كان لديكم قريب مفقود فاتصلوا بالهلال "
        "الأحمر أو بالمنظمة الدولية للهجرة. "
        "وتذكروا أن الطرق القانونية للعمل والدراسة في أوروبا موجودة، وأن المعلومات "
        "الصحيحة متاحة مجانا في مكاتب المنظمات الإنسانية في كل المدن الكبرى، فلا "
        "تدفعوا أموالكم لمن يتاجر بأرواح أبنائكم.",
    ),
    "greek_report": (
        "GR",
        "Αναφορά περιστατικού: στις 03:40 εντοπίστηκε σκάφος με 38 άτομα ανοιχτά της Λέσβου. "
        "Ο οδηγός δήλωσε τηλέφωνο 694.123.4567 και δεύτερο +30 697 765 4321. Πληρωμή στο IBAN "
        "GR16 0110 1250 0000 0001 2300 695. Όχημα παραλαβής με πινακίδα ΙΚΧ-1234, οδηγός με "
        "διαβατήριο TUR U12345678. Συνεργάτης στην Αθήνα: info@fast-travel.gr, ιστοσελίδα "
        "fast-travel.gr. Οι επιβάτες ανέφεραν πληρωμή 3.000 ευρώ ο καθένας. Το σκάφος "
        "μεταφέρθηκε στο λιμάνι της Μυτιλήνης και οι επιβάτες στο κέντρο υποδοχής.",
    ),
    "persian_post": (
        "IR",
        "قاچاقبر مطمئن، ترکیه به یونان با قایق و ماشین. تماس: ۰۰۹۸ ۹۱۲ ۳۴۵ ۶۷۸۹ کانال تلگرام "
        "https://t.me/rahbalad_europe?utm_campaign=winter پرداخت بعد از رسیدن. گذرنامه AFG "
        "P01234567 یا تذکره لازم است. پلاک ۱۲ ب ۳۴۵ ایران ۶۷. اینستاگرام @rahbalad.europe "
        "برای دیدن عکس‌های سفرهای قبلی. "
        "هر هفته یک گروه حرکت می‌کند، جا محدود است، زود ثبت نام کنید. خانواده‌ها "
        "تخفیف ویژه دارند و بچه‌های زیر پنج سال رایگان هستند. ضمانت رسیدن داریم.",
    ),
}


def timed(run: Extract, text: str, hint: Any) -> float:
    start = time.perf_counter_ns()
    run(text, hint)
    return (time.perf_counter_ns() - start) / 1e6


def p50(times: list[float]) -> float:
    return round(statistics.median(times), 3)


def in_process(rounds: int) -> dict[str, Any]:
    """Fast and reference paths, alternating call by call."""
    sys.path.insert(0, str(ROOT))  # why: the reference path lives with the tests
    from csnet.indicators.base import Hint
    from csnet.indicators.extract import extract
    from tests.indicators.reference.extract import extract as reference

    times: dict[str, dict[str, list[float]]] = {n: {"fast": [], "ref": []} for n in TEXTS}
    for name, (country, text) in TEXTS.items():  # warm-up; both paths must agree
        hint = Hint(country=country)
        assert extract(text, hint).as_dict() == reference(text, hint).as_dict(), name
    for _ in range(rounds):
        for name, (country, text) in TEXTS.items():
            times[name]["ref"].append(timed(reference, text, Hint(country=country)))
            times[name]["fast"].append(timed(extract, text, Hint(country=country)))
    for name, t in times.items():
        found = len(extract(TEXTS[name][1], Hint(country=TEXTS[name][0])).found)
        size = len(TEXTS[name][1].encode())
        print(f"{name}: {size} bytes, {found} found, p50 {p50(t['fast'])} ms", end="")
        print(f" (reference {p50(t['ref'])} ms)")
    fast = p50([x for t in times.values() for x in t["fast"]])
    ref = p50([x for t in times.values() for x in t["ref"]])
    return {
        "extract_1kb_p50_ms": fast,
        "reference_path_1kb_p50_ms": ref,
        "ratio_to_reference_path": round(fast / ref, 3),
    }


def samples(rounds: int) -> None:
    """Time whichever csnet is first on the path; print the times as JSON."""
    from csnet.indicators.base import Hint
    from csnet.indicators.extract import extract

    for country, text in TEXTS.values():
        extract(text, Hint(country=country))
    times = [
        timed(extract, text, Hint(country=country))
        for _ in range(rounds)
        for country, text in TEXTS.values()
    ]
    print(json.dumps(times))


def run_samples(checkout: Path, rounds: int) -> list[float]:
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    command = [sys.executable, __file__, "--samples", "--rounds", str(rounds)]
    out = subprocess.run(command, env=env, check=True, capture_output=True, text=True).stdout
    times: list[float] = json.loads(out.splitlines()[-1])
    return times


def against_checkout(before: Path, rounds: int) -> dict[str, Any]:
    """This checkout's extract against `before`'s, alternating processes of a few rounds."""
    now: list[float] = []
    then: list[float] = []
    for _ in range(max(1, rounds // 5)):
        then += run_samples(before, 5)
        now += run_samples(ROOT, 5)
    return {
        "extract_1kb_p50_ms_this_checkout": p50(now),
        "extract_1kb_p50_ms_before": p50(then),
        "ratio_to_before": round(p50(now) / p50(then), 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--before", type=Path, help="an older checkout to compare with")
    parser.add_argument("--samples", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.samples:
        samples(args.rounds)
        return
    figures = in_process(args.rounds)
    if args.before:
        figures |= against_checkout(args.before, args.rounds)
    print(json.dumps({**figures, "load_average_1min": os.getloadavg()[0]}))


if __name__ == "__main__":
    main()
