import Foundation
import Testing

@testable import OperatorConsole

/// Frames checked as text, one `|` marking the right edge of each line so trailing spaces show.
/// CJK characters take two columns: in an editor with a CJK-aware monospace font the bars line up.
///
/// When a change to the screens is intended, print the new frame with `snapshot(…)` and paste it here
/// after reading it through.
@Suite struct SnapshotTests {
    func snapshot(_ state: ConsoleState) -> String {
        frame(state, width: state.width, height: state.height, color: false).map { $0.text + "|" }.joined(separator: "\n")
    }

    @Test func theQueueAt80x24() {
        #expect(
            snapshot(Scene.queue(width: 80, height: 24)) == """
                 eldercare console  王芳 (operator)                              LIVE  10:15:00 |
                 Open 5  P1 2  P2 1  P3 1  P4 1  unclaimed 3  escalated 1                       |
                 ! PRI AGE  ELDER      YRS DISTRICT WHAT         STATUS     CLAIMED BY          |
                >  P1 10:00 欧阳玉凤…   91 北流市   一键呼救     已接警     王芳                |
                 ! P1 03:39 黄秀英      86 玉州区   跌倒报警     待接警     -                   |
                   P2 1h13m 李建国      78 容县     生命体征异常 已派单     李明                |
                   P3 15:00 Zhang Wei   80 陆川县   夜间开门     设备已取消 -                   |
                   P4 2d00h 陈淑珍      88 博白县   设备离线     待接警     -                   |
                                                                                                |
                                                                                                |
                                                                                                |
                                                                                                |
                                                                                                |
                                                                                                |
                                                                                                |
                                                                                                |
                                                                                                |
                                                                                                |
                                                                                                |
                                                                                                |
                                                                                                |
                                                                                                |
                                                                                                |
                 j/k move  Enter open  c claim  / filter  m mine  s supervisor  q quit  ? help  |
                """)
    }

    @Test func theQueueAt160x48() {
        #expect(
            snapshot(Scene.queue(width: 160, height: 48)) == """
                 eldercare console  王芳 (operator)                                                                                                              LIVE  10:15:00 |
                 Open 5  P1 2  P2 1  P3 1  P4 1  unclaimed 3  escalated 1                                                                                                       |
                 ! PRI AGE         # ELDER        YRS DISTRICT WHAT         STATUS     CLAIMED BY  EV REASON                                                                    |
                >  P1 10:00    #4813 欧阳玉凤凰花  91 北流市   一键呼救     已接警     王芳        x3 SOS button pressed                                                        |
                 ! P1 03:39    #4812 黄秀英        86 玉州区   跌倒报警     待接警     -              Fall detected; raised from P2 to P1: lives alone, aged 86                 |
                   P2 1h13m    #4790 李建国        78 容县     生命体征异常 已派单     李明           Heart rate 138, SpO2 88                                                   |
                   P3 15:00    #4801 Zhang Wei     80 陆川县   夜间开门     设备已取消 -              Front door opened at 02:00                                                |
                   P4 2d00h    #4700 陈淑珍        88 博白县   设备离线     待接警     -              No heartbeat for 2 days                                                   |
                                                                                                                                                                                |
                                                                                                                                                                                |
                                                                                                                                                                                |
                                                                                                                                                                                |
                                                                                                                                                                                |
                                                                                                                                                                                |
                                                                                                                                                                                |
                                                                                                                                                                                |
                                                                                                                                                                                |
                                                                                                                                                                                |
                                                                                                                                                                                |
                                                                                                                                                                                |
                                                                                                                                                                                |
                                                                                                                                                                                |
                                                                                                                                                                                |
                                                                                                                                                                                |
                                                                                                                                                                                |
                                                                                                                                                                                |
                                                                                                                                                                                |
                                                                                                                                                                                |
                                                                                                                                                                                |
                                                                                                                                                                                |
                                                                                                                                                                                |
                                                                                                                                                                                |
                                                                                                                                                                                |
                                                                                                                                                                                |
                                                                                                                                                                                |
                                                                                                                                                                                |
                                                                                                                                                                                |
                                                                                                                                                                                |
                                                                                                                                                                                |
                                                                                                                                                                                |
                                                                                                                                                                                |
                                                                                                                                                                                |
                                                                                                                                                                                |
                                                                                                                                                                                |
                                                                                                                                                                                |
                                                                                                                                                                                |
                                                                                                                                                                                |
                 j/k move  Enter open  c claim  / filter  m mine  s supervisor  q quit  ? help                                                                                  |
                """)
    }

    @Test func aCallInProgressAt80x24() {
        #expect(
            snapshot(Scene.callInProgress(width: 80, height: 24)) == """
                 eldercare console  王芳 (operator)                              LIVE  10:15:00 |
                 #4813  P1  一键呼救 SOS button  已派单 Dispatched by 王芳 (you)  age 10:00  3 …|
                 Elder      欧阳玉凤凰花  女  91岁  与配偶同住 with spouse  失能 disabled       |
                 Phone      07752801234                                                         |
                 Address    广西壮族自治区玉林市北流市北流镇城南社区东门路幸福里小区十二栋三单元|
                            六楼六零二室（门口有轮椅）                                          |
                 Location   bedroom; 12栋3单元602                                               |
                 Reason     SOS button pressed three times within two minutes                   |
                 Contacts, in call order                                                        |
                  1  李娟       女儿     13807751234    has a key                               |
                  2  黄志强     儿子     13977500002                                            |
                  3  王阿姨     邻居     07752345678    has a key                               |
                 Responders                                                                     |
                  1  李娟       紧急联系人   在路上 on the way    since 10:09:30  13807751234   |
                  2  覃志明     社区工作人员 已派 assigned        since 10:10:00  13977512345   |
                 Health                                                                         |
                 Conditions 高血压, 2型糖尿病                                                   |
                 Allergies  青霉素                                                              |
                 Medicines  二甲双胍, 氨氯地平                                                  |
                 Vitals     心率 118 /min, 血氧饱和度 93 %                                      |
                 Timeline, oldest first                                                         |
                  … 14 more lines: j or PageDown                                                |
                                                                                                |
                 b callback  d dispatch  p progress  x resolve  n note  j/k scroll  ? help      |
                """)
    }

    @Test func aCallInProgressAt160x48() {
        #expect(
            snapshot(Scene.callInProgress(width: 160, height: 48)) == """
                 eldercare console  王芳 (operator)                                                                                                              LIVE  10:15:00 |
                 #4813  P1  一键呼救 SOS button  已派单 Dispatched by 王芳 (you)  age 10:00  3 alarms                                                                           |
                 Elder      欧阳玉凤凰花  女  91岁  与配偶同住 with spouse  失能 disabled      |  Responders                                                                    |
                 Phone      07752801234                                                        |   1  李娟       紧急联系人   在路上 on the way    since 10:09:30  13807751234  |
                 Address    广西壮族自治区玉林市北流市北流镇城南社区东门路幸福里小区十二栋三单 |   2  覃志明     社区工作人员 已派 assigned        since 10:10:00  13977512345  |
                            元六楼六零二室（门口有轮椅）                                       |  Timeline, oldest first                                                        |
                 Location   bedroom; 12栋3单元602                                              |   10:05:00 device   报警 opened                                                |
                 Reason     SOS button pressed three times within two minutes                  |              SOS button pressed                                                |
                 Contacts, in call order                                                       |   10:06:10 王芳     接警 claimed       待接警 -> 已接警                        |
                  1  李娟       女儿     13807751234    has a key                              |   10:06:40 王芳     回拨 callback      已接警 -> 回拨中                        |
                  2  黄志强     儿子     13977500002                                           |   10:07:30 王芳     备注 note                                                  |
                  3  王阿姨     邻居     07752345678    has a key                              |              老人说胸口闷，说话有些喘，老伴在旁边。已让老人坐下不要走动，等女儿|
                 Health                                                                        |              过来。                                                            |
                 Conditions 高血压, 2型糖尿病                                                  |   10:08:00 王芳     派单 dispatched    回拨中 -> 已派单; sent 李娟             |
                 Allergies  青霉素                                                             |   10:09:30 王芳     响应 responder     李娟: 已派 assigned -> 在路上 on the way|
                 Medicines  二甲双胍, 氨氯地平                                                 |   10:10:00 王芳     派单 dispatched    sent 覃志明                             |
                 Vitals     心率 118 /min, 血氧饱和度 93 %                                     |                                                                                |
                 Devices                                                                       |                                                                                |
                 Device     SOS-4812 SOS pendant, online, last heard 11-23 10:11               |                                                                                |
                 Recent calls                                                                  |                                                                                |
                  #4511   11-02 19:40 P2 一键呼救     已结案     误报                          |                                                                                |
                                                                                                                                                                                |
                                                                                                                                                                                |
                                                                                                                                                                                |
                                                                                                                                                                                |
                                                                                                                                                                                |
                                                                                                                                                                                |
                                                                                                                                                                                |
                                                                                                                                                                                |
                                                                                                                                                                                |
                                                                                                                                                                                |
                                                                                                                                                                                |
                                                                                                                                                                                |
                                                                                                                                                                                |
                                                                                                                                                                                |
                                                                                                                                                                                |
                                                                                                                                                                                |
                                                                                                                                                                                |
                                                                                                                                                                                |
                                                                                                                                                                                |
                                                                                                                                                                                |
                                                                                                                                                                                |
                                                                                                                                                                                |
                                                                                                                                                                                |
                                                                                                                                                                                |
                                                                                                                                                                                |
                                                                                                                                                                                |
                 b callback  d dispatch  p progress  x resolve  n note  j/k scroll  q back  ? help                                                                              |
                """)
    }

    @Test func theResolveConfirmationAt80x24() {
        #expect(
            snapshot(Scene.confirmResolve(width: 80, height: 24)) == """
                 eldercare console  王芳 (operator)                              LIVE  10:15:00 |
                 #4812  P1  ! escalated  跌倒报警 Fall detected  已接警 Claimed by 王芳 (you)  …|
                 Elder      黄秀英  女  86岁  独居 lives alone  半失能 semi-disabled            |
                 Phone      07752801234                                                         |
                 Address    玉州区 名山街道金港路123号金港花园3栋2单元501室（电梯右手边）       |
                 Location   bathroom; 22.63910, 110.15200 (within 12 m)                         |
                 Reason     Fall detected; raised from P2 to P1: lives alone, aged 86           |
                 Contacts, in call order                                                        |
                  1  李娟       女儿     13807751234    has a key                               |
                  2  黄志强     儿子     13977500002                                            |
                  3  王阿姨     邻居     07752345678    has a key                               |
                 Responders                                                                     |
                            Nobody dispatched yet.                                              |
                 Health                                                                         |
                 Conditions 高血压, 2型糖尿病                                                   |
                 Allergies  青霉素                                                              |
                 Medicines  二甲双胍, 氨氯地平                                                  |
                 Confirm                                                                        |
                 Resolve call #4812 (黄秀英) as 上门处置 Attended by a responder, noting "女儿  |
                 到场，老人在卫生间滑倒，无明显外伤，已扶到床上休息"? A follow-up call will be  |
                 due.                                                                           |
                 y yes, go ahead    n no, nothing is sent                                       |
                                                                                                |
                 y yes  n no                                                                    |
                """)
    }

    @Test func theSupervisorViewAt80x24() {
        #expect(
            snapshot(Scene.supervisor(width: 80, height: 24)) == """
                 eldercare console  王芳 (operator)                              LIVE  10:15:00 |
                 Supervisor view: the floor at a glance                                         |
                 Open calls               P1 2     P2 1     P3 1     P4 1     total 5           |
                 Unclaimed                3                                                     |
                 Escalated                1                                                     |
                 Oldest unclaimed         P4 #4700 陈淑珍 博白县 设备离线, waiting 2d00h        |
                 Claimed within 60 s      98.2 % of 57 claimed today                            |
                 Operators online (3)     王芳, 李明, 覃海燕                                    |
                 Updated 10:15:00; refreshes every 5 s.                                         |
                                                                                                |
                 Escalated calls (1)                                                            |
                 ! P1 03:39 黄秀英      86 玉州区   跌倒报警     待接警     -                   |
                                                                                                |
                                                                                                |
                                                                                                |
                                                                                                |
                                                                                                |
                                                                                                |
                                                                                                |
                                                                                                |
                                                                                                |
                                                                                                |
                                                                                                |
                 Enter open oldest unclaimed  u refresh  q back  ? help                         |
                """)
    }
}
