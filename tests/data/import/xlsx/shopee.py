#!/usr/bin/env python3
"""Builds the Shopee workbooks the import tests read from the CSV files beside them, shaped
as Shopee's seller centre writes them (tests/tools/csv2xlsx.py: shared strings, numbers as
number cells), the product sheet after a guidance sheet in the template. Run by hand when a
CSV changes (make.sh runs it):
    python3 tests/data/import/xlsx/shopee.py
(make check reads the committed .xlsx files; it does not run this)."""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "tools"))
from csv2xlsx import rows_of, workbook  # noqa: E402

workbook(os.path.join(HERE, "shopee-sales-info.xlsx"),
         [("Sheet1", rows_of(os.path.join(SRC, "shopee-sales-info.csv")))])
workbook(os.path.join(HERE, "shopee-template.xlsx"),
         [("Hướng dẫn", [["Điền thông tin sản phẩm ở trang Bản đăng tải."],
                         ["Mỗi dòng là một phân loại hàng."]]),
          ("Bản đăng tải", rows_of(os.path.join(SRC, "shopee-template.csv")))])
# a Vietnamese seller's export as she edited it: prices with dot grouping, a title with a
# line break, a stock Excel keeps as 12.0, rows of blank cells below
workbook(os.path.join(HERE, "shopee-vn.xlsx"),
         [("Sheet1", rows_of(os.path.join(SRC, "shopee-vn.csv")))])
