import { settlementRows, toCsv, toExcelXml } from './report-export';
import type { SettlementReport } from './reports.service';

const report: SettlementReport = {
  generatedAt: '2026-12-01T08:00:00.000Z',
  from: '2026-11-01T00:00:00.000Z',
  to: '2026-12-01T00:00:00.000Z',
  level: 'street',
  minCellSize: 3,
  rows: [
    { areaId: 2, code: 'baihe', name: '白鹤街道', found: 4, settled: 3, open: 1, settlementRate: 0.75, categories: [] },
    { areaId: 3, code: 'x', name: '=HYPERLINK("evil")', found: 0, settled: 0, open: 0, settlementRate: null, categories: [] },
  ],
  total: { found: 4, settled: 3, open: 1, settlementRate: 0.75 },
  overdue: 1,
  medianMinutes: { acknowledge: 12.5, respond: 40, settle: 2880 },
};

describe('report export', () => {
  it('writes CSV that Excel opens, with formulas defused', () => {
    expect(toCsv(settlementRows(report))).toBe(
      '\ufeff区域,发现,化解,未结,化解率\r\n白鹤街道,4,3,1,75.0%\r\n"=HYPERLINK(""evil"")",0,0,0,—\r\n合计,4,3,1,75.0%\r\n',
    );
  });

  it('writes an Excel XML workbook with numbers as numbers and text escaped', () => {
    const xml = toExcelXml(settlementRows(report));
    expect(xml).toContain('<Row><Cell><Data ss:Type="String">白鹤街道</Data></Cell><Cell><Data ss:Type="Number">4</Data></Cell>');
    expect(xml).toContain('=HYPERLINK(&quot;evil&quot;)');
    expect(xml).not.toContain('"evil"');
  });
});
