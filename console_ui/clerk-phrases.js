// The clerk console's sentences, Chinese and English (clerk.js; its parts bring their own).
import { SIGNIN_PHRASES } from "/ui/console/signin.js";
import { CASE_PHRASES } from "/ui/console/clerk-cases.js";
import { HOLDER_PHRASES } from "/ui/console/clerk-holder.js";
import { GUIDE_PHRASES } from "/ui/console/guide-desk.js";
import { PAUSE_PHRASES } from "/ui/console/clerk-pause.js";
import { STALE_PHRASES } from "/ui/console/stale-tab.js";
import { RECEIPT_PHRASES } from "/ui/console/clerk-receipt.js";
export const CLERK_PHRASES = {
  zh: {
    ...SIGNIN_PHRASES.zh, ...STALE_PHRASES.zh, ...RECEIPT_PHRASES.zh,
    ...CASE_PHRASES.zh,
    ...PAUSE_PHRASES.zh, ...HOLDER_PHRASES.zh, ...GUIDE_PHRASES.zh,
    title: "窗口叫号", signinTitle: "窗口工作人员登录", window: "窗口", signOut: "退出窗口",
    needWindow: "请填写您所在的窗口号。", current: "当前办理", myQueues: "本窗口队列", queue: "队列", waiting: "等候",
    longest: "最长等候", minutes: "{n} 分钟", none: "暂无办理中的号，按“叫号”开始。",
    matter: "事项", waited: "等候时长", calledAt: "叫号时间", recalls: "重呼次数", status: "状态",
    callNext: "叫号", recall: "重呼", noShow: "过号", finish: "完成", transfer: "转移", pause: "暂停", resume: "恢复",
    transferTo: "转到队列", confirmTransfer: "确认转移", cancel: "取消",
    whoAt: "{user} · {window}号窗口", reconnecting: "与服务器的连接中断，正在重新连接…",
    called: "已叫 {number} 号。", recalled: "已重呼 {number} 号。", noShowed: "{number} 号已过号。", finished: "{number} 号已办结。",
    transferred: "{number} 号已转到{queue}。", paused: "窗口已暂停服务。", resumed: "窗口已恢复服务。",
    queueEmpty: "本窗口的队列（{queues}）现在没有等候的号。",
    pausedNoCall: "窗口已暂停，请先按“恢复”再叫号。", closedNoCall: "窗口已关闭，不能叫号；请联系大厅管理员开放窗口。",
    noCurrent: "当前没有正在办理的号，请先叫号。", recallLimit: "{number} 号已达到重呼次数上限，请按“过号”。",
    sameQueue: "该号已在所选队列中等候，请选择其他队列。", notPaused: "窗口没有暂停，无需恢复。", notOpen: "窗口不是开放状态，不能暂停。",
    notYourWindow: "您已不在本窗口签到（可能已被管理员关闭或在别处签到），请重新登录。",
    otherClerk: "该窗口已由其他工作人员签到；需对方先退出，或由管理员关闭窗口。",
    otherDepartment: "该窗口不属于您的部门，不能在此签到。", noWindow: "没有这个窗口号，请核对后重新填写。",
    stillServing: "本窗口还有正在办理的号，请先完成、过号或转移再退出。", notClerk: "窗口叫号需要窗口工作人员账号。",
    noQueue: "没有这个队列，请重新选择。",
    servingElsewhere: "您在{window}号窗口还有正在办理的号，请先在那里完成、过号或转移，再到本窗口签到。",
    servingElsewhereAny: "您在另一个窗口还有正在办理的号，请先在那里完成、过号或转移，再到本窗口签到。",
    otherClerkNow: "本窗口现已由其他工作人员签到，您不能在此操作，请重新登录。",
    ticketNotCalled: "该号已不在办理中，请叫下一个号。", windowChanged: "窗口状态刚刚有变化，请再按一次。",
  },
  en: {
    ...SIGNIN_PHRASES.en, ...STALE_PHRASES.en, ...RECEIPT_PHRASES.en,
    ...CASE_PHRASES.en,
    ...PAUSE_PHRASES.en, ...HOLDER_PHRASES.en, ...GUIDE_PHRASES.en,
    title: "Window console", signinTitle: "Window staff sign-in", window: "Window", signOut: "Leave window",
    needWindow: "Enter the number of your window.", current: "Now serving", myQueues: "This window's queues", queue: "Queue",
    waiting: "Waiting", longest: "Longest wait", minutes: "{n} min", none: "No ticket is being served; press Call next.",
    matter: "Matter", waited: "Waited", calledAt: "Called at", recalls: "Recalls", status: "Status",
    callNext: "Call next", recall: "Recall", noShow: "No-show", finish: "Finish", transfer: "Transfer", pause: "Pause", resume: "Resume",
    transferTo: "Transfer to queue", confirmTransfer: "Transfer", cancel: "Cancel",
    whoAt: "{user} · window {window}", reconnecting: "Connection lost; reconnecting…",
    called: "Called {number}.", recalled: "Recalled {number}.", noShowed: "{number} marked as no-show.", finished: "{number} finished.",
    transferred: "{number} transferred to {queue}.", paused: "The window is paused.", resumed: "The window is open again.",
    queueEmpty: "No ticket is waiting in this window's queues ({queues}).",
    pausedNoCall: "The window is paused; press Resume before calling.", closedNoCall: "The window is closed; ask the hall admin to open it.",
    noCurrent: "No ticket is being served; call one first.", recallLimit: "{number} has been recalled the most times allowed; mark it as a no-show.",
    sameQueue: "The ticket already waits in that queue; choose another.", notPaused: "The window is not paused.", notOpen: "Only an open window can pause.",
    notYourWindow: "You are no longer signed in at this window (an admin closed it, or you signed in elsewhere); sign in again.",
    otherClerk: "Another clerk is signed in at this window; they must sign out first, or an admin closes the window.",
    otherDepartment: "This window belongs to another department; you cannot sign in there.", noWindow: "There is no such window; check the number.",
    stillServing: "This window still serves a ticket; finish, mark or transfer it before leaving.", notClerk: "The window console needs a clerk account.",
    noQueue: "There is no such queue; choose again.",
    servingElsewhere: "You still serve a ticket at window {window}; finish, mark or transfer it there before signing in here.",
    servingElsewhereAny: "You still serve a ticket at another window; finish, mark or transfer it there before signing in here.",
    otherClerkNow: "Another clerk is now signed in at this window; you cannot operate it. Sign in again.",
    ticketNotCalled: "That ticket is no longer being served; call the next one.", windowChanged: "The window changed meanwhile; press again.",
  },
};
