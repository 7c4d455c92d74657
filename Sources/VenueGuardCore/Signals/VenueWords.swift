/// The words the terminal panel, the companion's page, the legend card and the notifications use for VenueGuard's machine names
/// (`venueguard/state/1`): levels, lightning states, lamp patterns, the buzzer, WBGT methods.
/// The level names and guidance come from Core (`HeatLevel`), as the lamps' legend does.
public enum VenueWords {
    /// The name of a status word (`safe` … `stop`, `unknown`).
    public static func status(_ word: String) -> Bilingual {
        if let level = HeatLevel(rawValue: word) { return Bilingual(level.japaneseName, level.englishName) }
        return Bilingual("不明(データなし)", "unknown (no data)")
    }

    /// What to do at a status.
    public static func guidance(_ word: String) -> Bilingual {
        if let level = HeatLevel(rawValue: word) { return Bilingual(level.japaneseGuidance, level.guidance) }
        return Bilingual("暑さ指数がわかりません。ランプを信じず、手持ちのWBGT計で測り、子どもの様子を見て判断してください。",
                         "The heat level is not known. Do not trust a lamp: measure with a hand-held WBGT meter and watch the children.")
    }

    /// What to do at the venue's `status`, by what caused it: a `stop` that lightning or an
    /// official alert caused (not the heat itself, `heatLevel` below stop) says the cause's action
    /// first and then what the heat level asks indoors, never "move to a cool place" for lightning.
    public static func whatToDo(status: String, heatLevel: String, lightning: String, heatAlert: String, thunderAdvisory: Bool,
                                allClearMinutes: Int) -> Bilingual {
        guard status == "stop", heatLevel != "stop" else { return guidance(status) }
        let indoors = guidance(heatLevel)
        let cause: Bilingual
        if lightning == "danger" {
            cause = lightningGuidance("danger", allClearMinutes: allClearMinutes)
        } else if heatAlert == "special-alert" {
            return Bilingual("熱中症特別警戒アラート:屋内も屋外もすべての運動を中止。涼しい場所で休ませる。",
                             "Special heat-stroke alert: all activity stops, indoors and outdoors; rest in a cool place.")
        } else if heatAlert == "alert" {
            cause = Bilingual("熱中症警戒アラート:屋外の運動は中止。", "Heat-stroke alert: outdoor activity stops.")
        } else if thunderAdvisory {
            cause = Bilingual("雷注意報:屋外の活動は中止。", "Thunder advisory: outdoor activity stops.")
        } else {
            return guidance(status)
        }
        return Bilingual("\(cause.ja) 屋内:\(indoors.ja)", "\(cause.en) Indoors: \(indoors.en)")
    }

    /// The short name of a level for labels (`危険`, `stop`).
    public static func shortStatus(_ word: String) -> Bilingual {
        switch word {
        case "safe": Bilingual("ほぼ安全", "safe")
        case "caution": Bilingual("注意", "caution")
        case "warning": Bilingual("警戒", "warning")
        case "severe": Bilingual("厳重警戒", "severe")
        case "stop": Bilingual("危険", "stop")
        default: Bilingual("不明", "unknown")
        }
    }

    /// The name of a lightning state.
    public static func lightning(_ word: String) -> Bilingual {
        switch word {
        case "clear": Bilingual("雷なし", "no lightning")
        case "watch": Bilingual("雷注意", "lightning watch")
        case "danger": Bilingual("雷危険(屋内へ)", "lightning danger: go indoors")
        default: Bilingual("雷検知不明", "lightning unknown")
        }
    }

    /// What to do at a lightning state; `allClearMinutes` is the wait after the last strike.
    public static func lightningGuidance(_ word: String, allClearMinutes: Int) -> Bilingual {
        switch word {
        case "clear": Bilingual("", "")
        case "watch": Bilingual("すぐ屋内に移れるよう準備。送迎と帰り道の計画を。",
                                "Be ready to move indoors; plan pick-up and the way home.")
        case "danger": Bilingual("全員すぐ屋内へ(送迎を待つ子も)。最後の雷から\(allClearMinutes)分は外に出ない。",
                                 "Everyone indoors now, including those waiting for pick-up; stay in until \(allClearMinutes) min after the last strike.")
        default: Bilingual("雷センサーが使えません。空の様子と雷鳴に注意し、雷鳴が聞こえたら屋内へ。",
                           "The lightning detector is not working: watch the sky, and go indoors at the first thunder.")
        }
    }

    /// A lamp colour's name.
    public static func lamp(_ lamp: String) -> Bilingual {
        switch lamp {
        case "green": Bilingual("緑", "green")
        case "yellow": Bilingual("黄", "yellow")
        case "red": Bilingual("赤", "red")
        default: Bilingual("青", "blue")
        }
    }

    /// A lamp pattern's name.
    public static func pattern(_ pattern: String) -> Bilingual {
        switch pattern {
        case "steady": Bilingual("点灯", "steady")
        case "blink": Bilingual("点滅", "blinking")
        case "blink-slow": Bilingual("ゆっくり点滅", "slow blink")
        case "blink-fast": Bilingual("速い点滅", "fast blink")
        case "flash": Bilingual("短く光る", "short flash")
        default: Bilingual("消灯", "off")
        }
    }

    /// The buzzer's pattern, worded so that "silent between beeps" cannot be read as "silenced".
    public static func buzzer(_ pattern: String) -> Bilingual {
        switch pattern {
        case "chirp": Bilingual("ピッと1回(変化の合図)", "one chirp (a change)")
        case "double-chirp": Bilingual("ピピッ(注意の合図)", "double chirp (attention)")
        case "heat-alarm": Bilingual("暑さ警報音が鳴動中(ボタンで確認するまで繰り返す)", "heat alarm sounding (repeats until acknowledged)")
        case "lightning-alarm": Bilingual("雷警報音が鳴動中(ボタンで確認するまで繰り返す)", "lightning alarm sounding (repeats until acknowledged)")
        default: Bilingual("鳴っていない", "not sounding")
        }
    }

    /// A WBGT method and how far to trust it.
    public static func method(_ method: String?) -> (name: Bilingual, trust: Bilingual) {
        switch method {
        case "measured": (Bilingual("WBGT計の実測", "measured by a WBGT meter"), Bilingual("信頼できる", "reliable"))
        case "iso7243": (Bilingual("黒球・自然湿球・気温から計算(JIS B 7922)", "from globe, natural wet-bulb and air (ISO 7243)"),
                         Bilingual("信頼できる", "reliable"))
        case "globe": (Bilingual("黒球温度と湿度から推定", "estimated from globe temperature and humidity"),
                       Bilingual("おおむね信頼できる(±1 °C程度)", "fairly reliable (about ±1 °C)"))
        case "liljegren": (Bilingual("気象データから物理モデルで推定(Liljegren)", "modelled from weather data (Liljegren)"),
                           Bilingual("推定値(±1〜2 °C)", "an estimate (±1–2 °C)"))
        case "moe-regression": (Bilingual("気温・湿度・日射から推定(環境省の式)", "estimated from air, humidity and sun (Ministry formula)"),
                                Bilingual("推定値(±1〜2 °C)", "an estimate (±1–2 °C)"))
        case "indoor-chart": (Bilingual("気温と湿度から推定(室内の換算表)", "estimated from air and humidity (indoor chart)"),
                              Bilingual("室内の目安", "an indoor guide"))
        case "temperature-only": (Bilingual("気温だけで判断(WBGT計なし)", "judged by air temperature alone (no WBGT)"),
                                  Bilingual("暫定(できるだけWBGT計を)", "a stopgap: use a WBGT meter where you can"))
        default: (Bilingual("なし", "none"), Bilingual("判断できない", "cannot judge"))
        }
    }

    /// A heat alert's name (`none`, `alert`, `special-alert`).
    public static func heatAlert(_ word: String) -> Bilingual {
        switch word {
        case "alert": Bilingual("熱中症警戒アラート", "heat-stroke alert")
        case "special-alert": Bilingual("熱中症特別警戒アラート", "special heat-stroke alert")
        default: Bilingual("なし", "none")
        }
    }

    /// A sensor quality word.
    public static func quality(_ word: String) -> Bilingual {
        switch word {
        case "ok": Bilingual("正常", "ok")
        case "stale": Bilingual("値が届かない", "no recent reading")
        default: Bilingual("故障", "faulted")
        }
    }

    /// An exposure word.
    public static func exposure(_ word: String) -> Bilingual {
        word == "outdoor" ? Bilingual("屋外", "outdoor") : Bilingual("屋内", "indoor")
    }
}
