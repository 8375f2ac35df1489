/* 疑似异常 (docs/operations.md#suspect-counts): a task whose latest read was held back shows both numbers read. */

import { el } from "./dom.js";
import { fmtNum, fmtLocal } from "./format.js";

/* The note under a task's counts: the suspect views and likes, which were not sent. */
export function suspectNote(suspect) {
  const note = el("div", "counts__reason counts__reason--suspect suspect-note",
    `⚠️ 疑似异常：新读到 ${fmtNum(suspect.views)} / ${fmtNum(suspect.likes)}`);
  note.title = `${fmtLocal(suspect.at)} 读到的播放 ${fmtNum(suspect.views)}、点赞 ${fmtNum(suspect.likes)} ` +
    "比上次回传的数字跌得太多（播放低于 80% 或点赞低于 50%），暂未回传，仍发送上面的数字；" +
    "之后再读到相近的数字就确认并回传，读回原来的水平则自动解除";
  return note;
}
