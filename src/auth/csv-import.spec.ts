import { CsvImportError, parseAreasCsv, parseUsersCsv } from './csv-import';

const errorsOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    if (error instanceof CsvImportError) return error.errors;
    throw error;
  }
  throw new Error('expected a CsvImportError');
};

describe('parseAreasCsv', () => {
  it('reads a tree with aliases, parents before children or already existing', () => {
    const rows = parseAreasCsv(
      '\uFEFFcode,name,level,parent_code,aliases\nxinming,新明街道,street,jiangdong,新明\nxinhe,新河社区,community,xinming,"新河家园|新河路"\n',
      new Set(['jiangdong']),
    );
    expect(rows).toEqual([
      { row: 2, code: 'xinming', name: '新明街道', level: 'street', parentCode: 'jiangdong', aliases: ['新明'] },
      { row: 3, code: 'xinhe', name: '新河社区', level: 'community', parentCode: 'xinming', aliases: ['新河家园', '新河路'] },
    ]);
  });

  it('reports every bad row with its number and column', () => {
    const errors = errorsOf(() =>
      parseAreasCsv(
        'code,name,level,parent_code,aliases\nBad Code,某街道,street,jiangdong,\nok-1,,town,nowhere,甲\nok-1,某社区,community,,甲\n',
        new Set(['jiangdong']),
      ),
    );
    expect(errors).toEqual([
      { row: 2, column: 'code', message: '"Bad Code" must be lowercase letters, digits or -' },
      { row: 3, column: 'name', message: 'is empty' },
      { row: 3, column: 'level', message: '"town" must be one of district, street, community, grid' },
      { row: 3, column: 'parent_code', message: '"nowhere" is neither an earlier row nor an existing area' },
      { row: 4, column: 'code', message: '"ok-1" appears twice' },
      { row: 4, column: 'parent_code', message: 'only a district may have no parent' },
      { row: 4, column: 'aliases', message: '"甲" is already an alias on row 3' },
    ]);
  });

  it('names a missing column and malformed CSV', () => {
    expect(errorsOf(() => parseAreasCsv('code,name,level\nx,某,street\n', new Set()))).toEqual([{ row: 1, column: 'parent_code', message: 'this column is missing from the header' }]);
    expect(errorsOf(() => parseAreasCsv('code,name,level,parent_code\n"x,某,street,\n', new Set()))[0].message).toMatch(/^not valid CSV/);
  });
});

describe('parseUsersCsv', () => {
  it('reads users with their scopes', () => {
    expect(parseUsersCsv('username,display_name,role,scope\nsg-xinhe,赵敏,worker,xinhe\nsup-x,钱进,supervisor,xinming;xinhe\n', new Set(['xinhe', 'xinming']))).toEqual([
      { row: 2, username: 'sg-xinhe', displayName: '赵敏', role: 'worker', scope: ['xinhe'] },
      { row: 3, username: 'sup-x', displayName: '钱进', role: 'supervisor', scope: ['xinming', 'xinhe'] },
    ]);
  });

  it('refuses unknown roles and areas, duplicates and empty scopes, row by row', () => {
    expect(errorsOf(() => parseUsersCsv('username,display_name,role,scope\nsg-a,甲,boss,xinhe\nsg-a,乙,worker,mars\nsg-b,丙,worker,\n', new Set(['xinhe'])))).toEqual([
      { row: 2, column: 'role', message: '"boss" must be one of worker, supervisor, official, operator, admin' },
      { row: 3, column: 'username', message: '"sg-a" appears twice' },
      { row: 3, column: 'scope', message: 'unknown area "mars"' },
      { row: 4, column: 'scope', message: 'needs at least one area code' },
    ]);
  });
});
