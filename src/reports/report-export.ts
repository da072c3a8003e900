import type { SettlementReport } from './reports.service';

export type ExportFormat = 'csv' | 'xls';

const rate = (r: number | null) => (r === null ? '—' : `${(r * 100).toFixed(1)}%`);

/** The settlement report as a table with a header row and a total row (Chinese headings). */
export function settlementRows(report: SettlementReport): (string | number)[][] {
  return [
    ['区域', '发现', '化解', '未结', '化解率'],
    ...report.rows.map((r) => [r.name, r.found, r.settled, r.open, rate(r.settlementRate)]),
    ['合计', report.total.found, report.total.settled, report.total.open, rate(report.total.settlementRate)],
  ];
}

/**
 * CSV with a byte-order mark and CRLF, so Excel opens the Chinese text; cells that a spreadsheet
 * would read as a formula (=, +, -, @) are quoted.
 */
export function toCsv(rows: (string | number)[][]): string {
  const cell = (v: string | number) => {
    const text = String(v);
    return /[",\r\n]/.test(text) || /^[=+\-@]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  return '\ufeff' + rows.map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}

/** An Excel 2003 XML workbook: opens in Excel and WPS, needs no library. */
export function toExcelXml(rows: (string | number)[][], sheet = '化解统计'): string {
  const esc = (v: string | number) => String(v).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  const cell = (v: string | number) => (typeof v === 'number' ? `<Cell><Data ss:Type="Number">${v}</Data></Cell>` : `<Cell><Data ss:Type="String">${esc(v)}</Data></Cell>`);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<?mso-application progid="Excel.Sheet"?>',
    '<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet">',
    `<Worksheet ss:Name="${esc(sheet)}"><Table>`,
    ...rows.map((r) => `<Row>${r.map(cell).join('')}</Row>`),
    '</Table></Worksheet></Workbook>',
  ].join('\n');
}
