import type { Command } from '../command';
import { evalCommand } from './eval';
import { importCommand } from './import';
import { infoCommand } from './info';
import { reportCommand } from './report';
import { scoreCommand } from './score';
import { serveCommand } from './serve';
import { thresholdCommand } from './threshold';
import { topCommand } from './top';
import { trainCommand } from './train';
import { verdictCommand } from './verdict';

export const commands: readonly Command[] = [importCommand, infoCommand, trainCommand, scoreCommand, topCommand, thresholdCommand, evalCommand, verdictCommand, reportCommand, serveCommand];
