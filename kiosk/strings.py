"""Every word the kiosk shows a citizen, in Chinese (first) and English. Nothing user-facing lives
anywhere else: views and the flow refer to keys, and `t(key, lang, **values)` fills them in.

A missing key or placeholder never crashes a screen: `t` falls back to the key itself, and tests
check that every key has both languages and the same placeholders."""

from __future__ import annotations

import string
from typing import Literal

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")

STRINGS: dict[str, tuple[str, str]] = {
    # -- chrome: header, footer, toggles -------------------------------------------------------
    "app.title": ("自助服务终端", "Self-service kiosk"),
    "toggle.large_on": ("长辈模式", "Large text"),
    "toggle.large_off": ("标准字体", "Normal text"),
    "toggle.lang": ("English", "中文"),
    "nav.back": ("返回", "Back"),
    "nav.home": ("首页", "Home"),
    "nav.idle": ("{seconds} 秒无操作将返回首页", "Back to home in {seconds} s without a touch"),
    "banner.offline": ("网络连接中断，正在自动重连……", "No connection to the server, reconnecting…"),
    "banner.connecting": ("正在连接服务器……", "Connecting to the server…"),
    "banner.printer": ("打印机暂不可用：{reason}。号票仍可取，请扫码或拍照留存",
                       "Printer unavailable: {reason}. Tickets are still issued on screen"),
    "banner.closed": ("当前为非服务时间，办事指南和排队查询仍可使用",
                      "The hall is closed now; guides and ticket follow-up still work"),
    # -- home ----------------------------------------------------------------------------------
    "home.welcome": ("欢迎办理业务，请点击您要办理的服务", "Welcome. Touch the service you need"),
    "home.take": ("取号", "Take a ticket"),
    "home.take.sub": ("选择业务类别，打印号票", "Choose a service, get a printed ticket"),
    "home.checkin": ("预约签到", "Reservation check-in"),
    "home.checkin.sub": ("已在网上预约，到场签到取号", "Booked online? Check in here"),
    "home.guide": ("办事指南", "Service guides"),
    "home.guide.sub": ("条件、材料、流程、时限、收费", "Conditions, documents, steps, fees"),
    "home.follow": ("排队查询", "Follow my ticket"),
    "home.follow.sub": ("扫号票二维码，查看排队进度", "Scan your ticket's QR code"),
    "home.green": ("绿色通道", "Green channel"),
    "home.green.sub": ("老年人、残疾人、孕妇、军人优先", "Priority for elderly, disabled, pregnant, military"),
    "home.evaluate": ("服务评价", "Rate our service"),
    "home.evaluate.sub": ("好差评", "Service evaluation"),
    "home.hours_today": ("今日服务时间：{sessions}", "Today's hours: {sessions}"),
    "home.always_open": ("全天开放", "Open at any hour"),
    # -- reasons an option is greyed -------------------------------------------------------------
    "reason.offline": ("网络中断，暂不可用", "Unavailable: no connection"),
    "reason.closed": ("非服务时间", "Outside service hours"),
    "reason.not_open": ("暂未开通", "Not available yet"),
    "reason.not_offered": ("本大厅未开通", "Not offered in this hall"),
    "reason.identity_required": ("需先核验身份，请到咨询台办理", "Needs identification: please ask at the information desk"),
    "reason.no_camera": ("摄像头不可用", "Camera unavailable"),
    "reason.no_scanner": ("扫码设备不可用", "Scanner unavailable"),
    "reason.no_card_reader": ("读卡器不可用", "Card reader unavailable"),
    "reason.no_idcard_reader": ("身份证阅读器不可用", "ID card reader unavailable"),
    "reason.cached": ("离线：显示本机保存的指南", "Offline: guides saved on this kiosk"),
    # -- queues and confirm ----------------------------------------------------------------------
    "queues.title": ("请选择业务类别", "Choose a service"),
    "queues.none": ("暂无可取号的业务", "No service takes tickets here now"),
    "queues.waiting": ("等候 {waiting} 人", "{waiting} waiting"),
    "queues.limit_reached": ("今日号源已取完", "No tickets left today"),
    "confirm.title": ("确认取号", "Confirm your ticket"),
    "confirm.queue": ("业务类别：{name}", "Service: {name}"),
    "confirm.item": ("办理事项：{name}", "Matter: {name}"),
    "confirm.item_none": ("办理事项：未选择（可选）", "Matter: not chosen (optional)"),
    "confirm.ahead": ("前面等候：{waiting} 人", "Waiting ahead: {waiting}"),
    "confirm.wait": ("预计等待：{wait}", "Estimated wait: {wait}"),
    "confirm.print": ("取号并打印", "Take ticket and print"),
    "confirm.print_green": ("取绿色通道号", "Take green-channel ticket"),
    "confirm.choose_item": ("选择具体事项（可选）", "Choose the exact matter (optional)"),
    "confirm.change_item": ("更换事项", "Change the matter"),
    "confirm.other_ways": ("其他取号方式", "Other ways to take a ticket"),
    "confirm.no_windows": ("该业务目前没有窗口在办理，请耐心等候", "No window serves this now; please be patient"),
    "items.title": ("请选择办理事项", "Choose the matter"),
    "items.none": ("该类别下暂无事项", "No matters listed here"),
    "items.skip": ("不选择，直接取号", "Skip, just take a ticket"),
    # -- identification --------------------------------------------------------------------------
    "id.lutong": ("鲁通码取号", "Lutong code"),
    "id.card": ("社保卡取号", "Social security card"),
    "id.idcard": ("身份证取号", "ID card"),
    "id.face": ("刷脸取号", "Face"),
    "id.nocard": ("无卡取号", "No card"),
    "id.lutong.prompt": ("请打开“爱山东”APP，出示鲁通码，对准下方扫码区",
                         "Open the iShandong app and show your Lutong code to the scanner below"),
    "id.card.prompt": ("请将社保卡插入或放在读卡区", "Insert or place your social security card on the reader"),
    "id.idcard.prompt": ("请将身份证放在感应区", "Place your ID card on the reader"),
    "id.face.prompt": ("请正对摄像头，摘下帽子和口罩，保持不动", "Face the camera, remove hat and mask, keep still"),
    "id.nocard.prompt": ("请输入身份证号码", "Enter your ID card number"),
    "id.phone.prompt": ("请输入手机号码（用于到号提醒，可不填）", "Phone number for a reminder (optional)"),
    "id.waiting": ("正在识别……", "Reading…"),
    "id.face.id_prompt": ("请输入您的身份证号码，用于人脸比对", "Enter your ID number: your face is compared with it"),
    "id.sms.phone_prompt": ("请输入手机号码，我们将发送6位验证码", "Enter your mobile number: we will text you a 6-digit code"),
    "id.sms.code_prompt": ("请输入短信验证码（6位数字）", "Enter the 6-digit code from the text message"),
    "id.sms.sent": ("验证码已发送至 {phone}，5分钟内有效", "Code sent to {phone}, valid for 5 minutes"),
    "id.sms.code_invalid": ("请输入6位数字验证码", "Enter all 6 digits of the code"),
    "id.sms.resend": ("重新获取验证码", "Send a new code"),
    "id.phone_invalid": ("请输入11位手机号码", "Enter an 11-digit mobile number"),
    "id.failed_title": ("身份核验未通过", "Identification failed"),
    "id.other_way": ("您可以返回选择其他方式，或到咨询台求助", "Go back to choose another way, or ask at the information desk"),
    "id.card_wait_over": ("没有读到卡片，请重新放置或选择其他方式", "No card was read: place it again or choose another way"),
    "id.face.wait_over": ("未能完成人脸识别，请选择其他方式取号", "Face check not completed: please choose another way"),
    "id.face.starting": ("正在打开摄像头……", "Starting the camera…"),
    "id.checking": ("正在核验身份，请稍候……", "Checking your identity…"),
    "id.demo_present": ("演示：放置样例卡片", "Demo: present a sample card"),
    "nocard.title": ("无卡取号：请选择方式", "No card: choose a way"),
    "nocard.sms": ("手机验证码", "Code by text message"),
    "nocard.sms.sub": ("向您的手机发送6位验证码", "We text a 6-digit code to your phone"),
    "nocard.id": ("输入身份证号码", "Type your ID number"),
    "nocard.id.sub": ("不带证件也可以取号", "No card needed"),
    "consent.title": ("刷脸取号：使用前请确认", "Face pickup: please confirm first"),
    "consent.body": ("本机将拍摄您的面部照片，仅用于与您本人的登记照片比对、核验身份。照片只在比对时使用，"
                     "不在本机或服务器保存；每次核验留有记录，供监督检查。",
                     "The kiosk takes a picture of your face only to compare it with your own registered "
                     "photo. The picture is used for the comparison only and kept neither here nor on the "
                     "server; each check is recorded for supervision."),
    "consent.agree": ("同意，开始刷脸", "I agree: start"),
    "consent.decline": ("不同意，使用其他方式", "No: use another way"),
    "ways.title": ("请选择身份核验方式", "How will you identify yourself?"),
    "identified.title": ("身份核验成功", "Identity confirmed"),
    "identified.hello": ("{holder}，您好", "Hello, {holder}"),
    "identified.green_age": ("您已年满{age}周岁，自动享受绿色通道", "You are {age} or older: green channel applies"),
    "identified.green_list": ("您已列入绿色通道服务名单，优先办理", "You are on the green-channel list: priority"),
    "identified.reservations": ("您今天的预约", "Your bookings today"),
    "identified.checked_in": ("已签到", "checked in"),
    "identified.checkin": ("预约签到：{start}–{end} {name}", "Check in: {start}–{end} {name}"),
    "identified.take": ("不签到，取{name}的号", "Take a ticket for {name} instead"),
    "identified.waiting": ("您已在排队：{numbers}", "Already waiting: {numbers}"),
    "identified.no_open": ("今天的预约都已签到", "Every booking today is checked in"),
    "green.not_eligible_title": ("暂不符合绿色通道条件", "Not eligible for the green channel"),
    "green.not_eligible": ("请取普通号；如您是残疾人、孕妇或现役军人，请到窗口由工作人员为您确认优先",
                           "Please take an ordinary ticket; if you are disabled, pregnant or serving military, "
                           "staff at the window will confirm your priority"),
    "green.identify": ("核验身份后取号", "Identify yourself, then take a ticket"),
    "confirm.identify_first": ("该业务需先核验身份：请选择下方方式", "This service needs your identity: choose a way below"),
    "ticket.title_reprint": ("您已在排队，这是您的号票", "You are already waiting: here is your ticket"),
    "checkin.by_identity": ("刷证 / 扫码签到", "Check in with ID"),
    "checkin.by_identity.sub": ("鲁通码、身份证、社保卡、刷脸或手机验证码", "Lutong code, ID card, social security card, face or SMS code"),
    "id.data_note": ("您的身份信息仅用于本次取号，不会保存在本机", "Your identity is used for this ticket only, never kept here"),
    # -- keypad ----------------------------------------------------------------------------------
    "keypad.ok": ("确定", "OK"),
    "keypad.clear": ("清空", "Clear"),
    "keypad.del": ("删除", "Delete"),
    "keypad.empty": ("请在下方输入", "Type below"),
    # -- ticket ----------------------------------------------------------------------------------
    "ticket.title": ("取号成功", "Your ticket"),
    "ticket.title_checkin": ("签到成功", "Checked in"),
    "ticket.title_again": ("您已签到，这是您的号票", "Already checked in: here is your ticket"),
    "ticket.number": ("您的号码", "Your number"),
    "ticket.ahead": ("前面还有 {waiting} 人", "{waiting} ahead of you"),
    "ticket.wait": ("预计等待 {wait}", "Estimated wait {wait}"),
    "ticket.windows": ("请留意 {windows} 叫号", "Watch {windows} for your number"),
    "ticket.windows_any": ("请留意大厅屏幕叫号", "Watch the hall screen for your number"),
    "ticket.qr": ("扫码查看排队进度，办结后评价", "Scan to follow your ticket and rate us"),
    "ticket.printing": ("正在打印号票……", "Printing your ticket…"),
    "ticket.printed": ("请取走打印的号票", "Please take your printed ticket"),
    "ticket.print_failed": ("号票打印失败（{reason}），号码已生效：请记住号码或用手机扫码",
                            "Printing failed ({reason}). Your number is valid: note it or scan the code"),
    "ticket.no_printer": ("本机没有打印机：请记住号码或用手机扫码", "No printer here: note your number or scan the code"),
    "ticket.reprint": ("重新打印", "Print again"),
    "ticket.done": ("完成", "Done"),
    "ticket.green": ("绿色通道 优先办理", "Green channel: priority"),
    "ticket.reservation_early": ("您到得早了：预约优先从 {start} 开始，之前按普通顺序排队",
                                 "You are early: reservation priority starts at {start}; until then you queue as usual"),
    "ticket.reservation_slot": ("预约时段：{start}–{end}", "Booked slot: {start}–{end}"),
    "ticket.reservation_late": ("已超过预约时段，按普通顺序排队", "Your slot has passed: you queue as usual"),
    "ticket.reservation_now": ("预约优先已生效", "Reservation priority applies now"),
    # -- closed ----------------------------------------------------------------------------------
    "closed.title": ("现在是非服务时间", "The hall is closed now"),
    "closed.today": ("今日服务时间：{sessions}", "Today's hours: {sessions}"),
    "closed.today_none": ("今日不办公", "Closed today"),
    "closed.next": ("下次开放：{when}", "Next opening: {when}"),
    "closed.still": ("办事指南、排队查询仍可使用", "Guides and ticket follow-up still work"),
    "closed.no_next": ("暂无开放安排，请关注大厅公告", "No opening scheduled; see the hall notices"),
    # -- check-in --------------------------------------------------------------------------------
    "checkin.choose": ("请选择签到方式", "How would you like to check in?"),
    "checkin.by_code": ("输入预约码", "Enter booking code"),
    "checkin.by_code.sub": ("预约短信中的6-10位字母数字", "6–10 letters and digits from your booking message"),
    "checkin.by_scan": ("扫描预约二维码", "Scan booking QR code"),
    "checkin.by_scan.sub": ("出示预约成功页面的二维码", "Show the QR code of your booking"),
    "checkin.by_id": ("输入身份证号", "Enter ID number"),
    "checkin.by_id.sub": ("预约时登记的身份证号码", "The ID number you booked with"),
    "checkin.code_prompt": ("请输入预约码", "Enter your booking code"),
    "checkin.id_prompt": ("请输入预约人身份证号码", "Enter the booking's ID number"),
    "checkin.scan_prompt": ("请将预约二维码对准扫码区", "Hold the booking QR code to the scanner"),
    "checkin.code_invalid": ("预约码为6-10位字母或数字，请检查后重新输入", "A booking code has 6–10 letters or digits"),
    "checkin.id_invalid": ("身份证号码不正确，请检查后重新输入", "This ID number is not valid; please check it"),
    "checkin.not_found": ("没有找到这个预约，请核对后重试，或到咨询台咨询",
                          "No booking found. Please check, or ask at the information desk"),
    "checkin.not_today": ("这个预约不是今天的", "This booking is not for today"),
    "checkin.cancelled": ("这个预约已取消", "This booking was cancelled"),
    "checkin.none_for_person": ("没有找到您今天的预约；如需办理，请返回取号",
                                "No booking of yours today; go back to take a ticket if you need one"),
    "checkin.refused": ("无法签到", "Check-in not possible"),
    "checkin.qr_unknown": ("没有识别到预约码，请出示预约成功页面的二维码", "That QR code holds no booking code"),
    # -- guides ----------------------------------------------------------------------------------
    "guide.title": ("办事指南", "Service guides"),
    "guide.browse": ("按业务类别查看", "Browse by service"),
    "guide.search": ("按关键词查找", "Search by keyword"),
    "guide.search.sub": ("点选常用词，或输入事项编码", "Tap common words, or type an item code"),
    "guide.search_words": ("点选关键词（可多选）", "Tap keywords (several narrow the search)"),
    "guide.search_code": ("按事项编码查找", "Search by item code"),
    "guide.search_query": ("当前条件：{query}", "Searching: {query}"),
    "guide.results": ("找到 {count} 个事项", "{count} matters found"),
    "guide.no_results": ("没有找到相关事项，请换个关键词", "Nothing found; try another word"),
    "guide.conditions": ("受理条件", "Conditions"),
    "guide.materials": ("申请材料", "Documents to bring"),
    "guide.process": ("办理流程", "Steps"),
    "guide.limits": ("办结时限", "Time limit"),
    "guide.limit_days": ("法定 {legal} 个工作日，承诺 {promised} 个工作日", "Legal {legal} working days, promised {promised}"),
    "guide.limit_now": ("即办", "Done on the spot"),
    "guide.limit_legal_now": ("法定 {legal} 个工作日，承诺即办", "Legal {legal} working days, promised on the spot"),
    "guide.scroll": ("上下滑动查看全部内容", "Swipe up and down to read everything"),
    "guide.fees": ("收费标准", "Fees"),
    "guide.visits": ("到现场次数", "Visits needed"),
    "guide.visits_n": ("{visits} 次", "{visits}"),
    "guide.visits_0": ("0 次（全程网办）", "None (fully online)"),
    "guide.location": ("办理地点", "Where"),
    "guide.queue": ("取号类别", "Ticket queue"),
    "guide.basis": ("设定依据", "Legal basis"),
    "guide.online": ("网上办理", "Online"),
    "guide.take": ("办理此事项：取号", "Take a ticket for this"),
    "guide.code": ("事项编码：{code}", "Item code: {code}"),
    "guide.unknown": ("未注明", "Not stated"),
    # -- follow ----------------------------------------------------------------------------------
    "follow.title": ("排队查询", "Follow my ticket"),
    "follow.prompt": ("请将号票上的二维码对准扫码区", "Hold your ticket's QR code to the scanner"),
    "follow.again": ("查询另一张号票", "Follow another ticket"),
    "follow.qr_unknown": ("这不是本大厅号票的二维码", "That is not a ticket QR code of this hall"),
    "follow.not_found": ("没有找到这张号票", "Ticket not found"),
    "follow.status": ("状态：{status}", "Status: {status}"),
    "follow.called": ("请到 {window} 办理", "Please go to {window}"),
    "follow.status.waiting": ("等候中", "Waiting"),
    "follow.status.called": ("已叫号", "Called"),
    "follow.status.serving": ("办理中", "Being served"),
    "follow.status.done": ("已办结", "Done"),
    "follow.status.missed": ("已过号，请到窗口咨询", "Missed: please ask at a window"),
    "follow.status.cancelled": ("已取消", "Cancelled"),
    "follow.status.expired": ("已过期", "Expired"),
    # -- 好差评 (service evaluation) ----------------------------------------------------------------
    "eval.title": ("服务评价", "Rate our service"),
    "eval.scan_prompt": ("请将号票上的二维码对准扫码区", "Hold the QR code on your ticket to the scanner"),
    "eval.by_number": ("没有二维码？输入号票号码", "No QR code? Type the ticket number"),
    "eval.number_prompt": ("请输入号票上的号码，例如 A012", "Type the number on your ticket, e.g. A012"),
    "eval.number_invalid": ("号码是1–2个字母加数字，例如 A012，请检查后重新输入",
                            "A ticket number is one or two letters and digits, e.g. A012"),
    "eval.number": ("号票", "Ticket"),
    "eval.queue": ("业务：{name}", "Service: {name}"),
    "eval.window": ("办理窗口：{window}", "Window: {window}"),
    "eval.clerk": ("工作人员：{clerk}", "Served by: {clerk}"),
    "eval.served_at": ("办结时间：{month}月{day}日 {hm}", "Finished: {day}/{month} {hm}"),
    "eval.ask": ("您对本次服务满意吗？请点击一项", "How satisfied are you with this service? Touch one"),
    "eval.followup_title": ("追评：补充您的评价", "Follow-up evaluation"),
    "eval.followup_first": ("您此前的评价：{level}", "Your earlier evaluation: {level}"),
    "eval.earlier": ("此前评价：{level}", "Earlier: {level}"),
    "eval.level.5": ("非常满意", "Very satisfied"),
    "eval.level.4": ("满意", "Satisfied"),
    "eval.level.3": ("基本满意", "Fairly satisfied"),
    "eval.level.2": ("不满意", "Dissatisfied"),
    "eval.level.1": ("非常不满意", "Very dissatisfied"),
    "eval.one_touch": ("点击即提交", "One touch records it"),
    "eval.then_reasons": ("请再选择原因", "Then choose why"),
    "eval.your_level": ("您的评价：{level}", "Your evaluation: {level}"),
    "eval.reasons_title": ("请选择不满意的原因（可多选）", "Why were you dissatisfied? (one or more)"),
    "eval.reasons_needed": ("请至少选择一项原因", "Choose at least one reason"),
    "eval.bad_note": ("您的意见将转交大厅负责人核实整改", "Your feedback goes to the hall's manager to check and put right"),
    "eval.submit": ("提交评价", "Submit"),
    "eval.thanks_title": ("感谢您的评价", "Thank you for your evaluation"),
    "eval.thanks_followup": ("感谢您的追评", "Thank you for your follow-up"),
    "eval.thanks_bad": ("您的意见已转交大厅负责人，将按规定核实整改", "Your feedback has gone to the hall's manager, "
                        "who will check it and put it right"),
    "eval.thanks_good": ("欢迎您再次光临，祝您生活愉快", "We look forward to serving you again"),
    "eval.done": ("完成", "Done"),
    "eval.follow_up": ("追评（补充评价）", "Add a follow-up evaluation"),
    "eval.refused.already": ("这张号票已经评价过了", "This ticket has been evaluated already"),
    "eval.refused.follow_up": ("已评价。如需补充，您可以追评一次", "It was evaluated. You may add one follow-up evaluation"),
    "eval.refused.already_body": ("每张号票可评价一次、追评一次，这张号票都已完成", "Each ticket is evaluated once, with one "
                                  "follow-up: both were given for this one"),
    "eval.refused.not_served": ("这张号票还没有办理完成", "This ticket has not been served yet"),
    "eval.refused.not_served_body": ("业务办结后才能评价", "It can be evaluated once its service is finished"),
    "eval.refused.cancelled": ("这张号票已取消", "This ticket was cancelled"),
    "eval.refused.missed": ("这张号票已过号", "This ticket was missed"),
    "eval.refused.unserved": ("这张号票没有办理", "This ticket was never served"),
    "eval.refused.not_evaluable": ("没有办理记录，不能评价", "It has no service to evaluate"),
    "eval.refused.closed": ("评价期限已过", "The evaluation period is over"),
    "eval.refused.closed_body": ("评价期限已于 {month}月{day}日 {hm} 结束", "It could be evaluated until {day}/{month} {hm}"),
    "eval.refused.unknown": ("没有找到这张号票", "Ticket not found"),
    "eval.refused.unknown_number": ("今天没有这个号码的号票。请核对号票上的号码；更早的号票请扫描号票上的二维码",
                                    "No ticket has this number today. Please check it; for a ticket of an earlier day, "
                                    "scan its QR code"),
    "eval.refused.unknown_link": ("没有找到这个二维码的号票，请扫描本大厅号票上的二维码，或返回输入号票上的号码",
                                  "No ticket has this QR code. Scan the QR code of a ticket of this hall, or go back "
                                  "and type its number"),
    "eval.refused.not_a_ticket": ("这不是本大厅号票的二维码", "That is not a ticket QR code of this hall"),
    "eval.refused.not_a_ticket_body": ("请扫描号票上打印的二维码，或返回输入号票上的号码",
                                       "Scan the QR code printed on your ticket, or go back and type its number"),
    "eval.hint.follow_up": ("不需要追评，请点击“首页”", "No follow-up? Touch Home"),
    "eval.hint.thanks": ("感谢您对我们工作的支持", "Thank you for your support"),
    "eval.hint.window": ("办结后可在窗口的评价器、本机或手机上评价", "Once served, evaluate at the window, here or on your phone"),
    "eval.hint.desk": ("如有问题，请到咨询台咨询", "Questions? Please ask at the information desk"),
    "eval.hint.retype": ("您可以点击“返回”重新扫码或输入", "Touch Back to scan or type again"),
    # -- green channel ---------------------------------------------------------------------------
    "green.title": ("绿色通道", "Green channel"),
    "green.who": ("服务对象：70周岁以上老年人、残疾人、孕妇、现役军人及其他需要帮助的群众",
                  "For people aged 70 or over, disabled people, pregnant women, serving military and others who need help"),
    "green.granted": ("请选择业务类别，您将获得优先号，到绿色通道窗口或综合窗口优先办理",
                      "Choose your service: you get a priority ticket for the green-channel window"),
    "green.identity": ("本大厅绿色通道需核验身份：年满{age}周岁核验后自动确认；残疾人、孕妇、现役军人请取号后由窗口工作人员确认",
                       "This hall checks eligibility: aged {age} or over is confirmed once you identify yourself; "
                       "disabled, pregnant or serving military: staff at the window confirm it after you take a ticket"),
    "green.staff": ("请到咨询台或按大厅服务铃，工作人员会为您办理", "Please go to the information desk; staff will help you"),
    "green.choose": ("选择业务类别", "Choose a service"),
    # -- messages, errors ------------------------------------------------------------------------
    "msg.busy": ("请稍候……", "Please wait…"),
    "msg.error_title": ("抱歉，暂时无法办理", "Sorry, this cannot be done now"),
    "msg.offline_title": ("暂时无法连接服务器", "Cannot reach the server"),
    "msg.offline_body": ("正在自动重连。取号、签到、排队查询暂不可用；办事指南可查看本机保存的内容。也可到咨询台由工作人员帮您取号。",
                         "Reconnecting by itself. Tickets, check-in and follow-up are unavailable; saved guides can be read. Staff at the information desk can help."),
    "msg.retry_in": ("{seconds} 秒后自动重试", "Retrying in {seconds} s"),
    "msg.try_later": ("请稍后再试，或到咨询台咨询", "Please try again later or ask at the information desk"),
    "msg.timeout": ("服务器响应超时", "The server did not answer in time"),
    "msg.server_error": ("服务器暂时出现问题", "The server has a problem"),
    "msg.rejected": ("请求未被受理", "The request was refused"),
    "msg.unauthorized": ("本终端未获授权，请联系管理员", "This kiosk is not authorised; contact the administrator"),
    "msg.not_found": ("未找到", "Not found"),
    "msg.unexpected": ("出现意外情况，已返回首页", "Something unexpected happened; back to home"),
    # -- screensaver -----------------------------------------------------------------------------
    "saver.touch": ("请触摸屏幕开始", "Touch the screen to start"),
    "saver.services": ("取号 · 预约签到 · 办事指南 · 排队查询", "Tickets · Check-in · Guides · Follow-up"),
    "saver.supervision": ("监督电话：{phone}", "Supervision hotline: {phone}"),
    # -- time ------------------------------------------------------------------------------------
    "wait.unknown": ("暂无估算", "no estimate yet"),
    "wait.under_minute": ("不到 1 分钟", "under a minute"),
    "wait.minutes": ("约 {minutes} 分钟", "about {minutes} min"),
    "wait.hours": ("约 {hours} 小时 {minutes} 分钟", "about {hours} h {minutes} min"),
    "time.today": ("今天 {hm}", "today {hm}"),
    "time.tomorrow": ("明天 {hm}", "tomorrow {hm}"),
    "time.date": ("{month}月{day}日（周{weekday}） {hm}", "{weekday} {day}/{month} {hm}"),
    "time.clock": ("{year}年{month}月{day}日 星期{weekday} {hm}", "{weekday} {year}-{month:02d}-{day:02d} {hm}"),
    "time.weekdays": ("一二三四五六日", "Mon Tue Wed Thu Fri Sat Sun"),
    # -- devices (health messages of the kiosk's own making) -----------------------------------
    "device.printer": ("打印机", "printer"),
    "device.camera": ("摄像头", "camera"),
    "device.scanner": ("扫码器", "scanner"),
    "device.card_reader": ("读卡器", "card reader"),
    "device.idcard_reader": ("身份证阅读器", "ID card reader"),
    "device.config_error": ("{device}配置错误", "{device} misconfigured"),
    "device.unknown": ("设备状态未知", "device state unknown"),
    "device.wedge_ok": ("扫码器已配置", "keyboard-wedge scanner configured"),
    "device.printer_failed": ("打印机故障", "printer failure"),
    # -- selftest slip -----------------------------------------------------------------------------
    "selftest.queue": ("打印测试 Print test", "Print test"),
    "selftest.windows": ("自检号票，无需办理 Test slip", "Test slip, nothing to do"),
    "selftest.footer": ("终端 {device}", "Kiosk {device}"),
    "sessions.sep": ("、", ", "),
    "windows.sep": ("、", ", "),
}


# Common words of government-service item names. The search keyboard offers the ones that occur in
# this hall's items, so every key finds something and nothing needs pinyin or handwriting.
SEARCH_WORDS = (
    "企业", "公司", "个体", "设立", "变更", "注销", "登记", "备案", "许可", "证明", "证书", "执照",
    "社保", "医保", "养老", "失业", "工伤", "生育", "退休", "参保", "缴费", "报销", "转移", "待遇",
    "户口", "户籍", "迁移", "身份证", "居住证", "出入境", "护照", "港澳", "台湾", "签注",
    "不动产", "房屋", "抵押", "转让", "首次", "预告", "查询", "公积金", "提取", "贷款",
    "婚姻", "结婚", "离婚", "出生", "医学", "死亡", "残疾", "低保", "救助", "补贴",
    "税务", "发票", "纳税", "车辆", "驾驶", "建设", "施工", "卫生", "食品", "药品", "经营",
    "教育", "学校", "就业", "人才", "职称", "资格", "补办", "换领", "申领",
)


def t(key: str, lang: str = "zh", /, **values: object) -> str:
    """The text for `key` in `lang` ("zh" or "en"), with {placeholders} filled in."""
    pair = STRINGS.get(key)
    if pair is None:
        return key
    text = pair[1] if lang == "en" else pair[0]
    if not values:
        return text
    try:
        return text.format(**values)
    except (KeyError, IndexError, ValueError):
        return text


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def wait_text(seconds: int | None, lang: str) -> str:
    """An estimated wait in words a citizen reads at a glance."""
    if seconds is None:
        return t("wait.unknown", lang)
    if seconds < 60:
        return t("wait.under_minute", lang)
    minutes = round(seconds / 60)
    if minutes < 60:
        return t("wait.minutes", lang, minutes=minutes)
    return t("wait.hours", lang, hours=minutes // 60, minutes=minutes % 60)


def pick(zh: str | None, en: str | None, lang: str) -> str:
    """A name the server gives in both languages: English when asked for and present."""
    if lang == "en" and en:
        return en
    return zh or en or ""


def weekday(index: int, lang: str) -> str:
    """Monday = 0: 一 … 日, or Mon … Sun."""
    names = t("time.weekdays", lang)
    return names.split()[index] if lang == "en" else names[index]
