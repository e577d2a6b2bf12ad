// `cax coverage report`: merging RTL coverage runs into an HTML report
// (issue 19) is not built yet; the command answers E_UNSUPPORTED so that
// scripts find out clearly (docs/waveforms.md, "Coverage").
import { unsupported } from '../../errors.js';
import type { Register } from '../program.js';

export const registerCoverage: Register = (program) => {
  program
    .command('coverage')
    .description('RTL coverage of the simulated core (not supported yet: E_UNSUPPORTED)')
    .command('report')
    .description('merge coverage runs and write an HTML report (not supported yet: E_UNSUPPORTED)')
    .exitOverride()
    .action(() => {
      throw unsupported('RTL coverage reports (cax coverage report)');
    });
};
