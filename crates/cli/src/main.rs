//! `jixiao`: read, score and review 项目支出绩效自评表 from the command line.
#![forbid(unsafe_code)]

use anyhow::Context as _;
use clap::{ArgAction, Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};
use jixiao_cli::check::{self, Format, Sink};
use jixiao_cli::human::Style;
use jixiao_cli::{audit, convert, gen, profiles, show};
use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;

/// The allocator (分配器): a form costs a few hundred small allocations that live until the
/// form is written; mimalloc serves them with far fewer instructions than glibc's malloc, and the
/// web server's requests likewise (docs/BENCHMARKS.md, "The allocator").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const TEMPLATE: &str = "\
{before-help}{about-with-newline}
用法 (Usage): {usage}

{all-args}{after-help}";

/// 绩效自评表的读取、评分与审核 (read, score and review fiscal project performance
/// self-evaluation forms, 项目支出绩效自评表).
#[derive(Parser)]
#[command(
    name = "jixiao",
    version,
    help_template = TEMPLATE,
    subcommand_help_heading = "命令 (Commands)",
    disable_help_subcommand = true,
    after_help = "退出码 (exit codes): 0 无错误级发现 (no error-level finding); \
                  1 有错误级发现 (error-level findings); 2 有输入无法读取或参数错误 \
                  (an input could not be read, or bad arguments)."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// 读取、评分并审核，输出编译器式诊断或 JSON (read, score and review; print compiler-style
    /// diagnostics or JSON)
    #[command(help_template = TEMPLATE, next_help_heading = "选项 (Options)")]
    Check(CheckArgs),
    /// 显示评分表：每个指标的自报得分、规则得分及依据 (show the scorecard: every indicator,
    /// reported vs. rule-based score, and why)
    #[command(help_template = TEMPLATE, next_help_heading = "选项 (Options)")]
    Show(ShowArgs),
    /// 按输出文件扩展名转换格式：.json .xlsx .html .csv .jsonl (convert by the output's
    /// extension: .json .xlsx .html .csv .jsonl)
    #[command(help_template = TEMPLATE, next_help_heading = "选项 (Options)")]
    Convert(ConvertArgs),
    /// 批量审核：并行读取、评分、审核，写出 HTML 报告（可选 xlsx）(batch audit: read, score
    /// and review in parallel; write an HTML report, optionally an xlsx one)
    #[command(help_template = TEMPLATE, next_help_heading = "选项 (Options)")]
    Audit(AuditArgs),
    /// 生成合成语料（制表符网格），用于基准测试 (generate a synthetic corpus in the seed's tab
    /// grid, for benchmarks)
    #[command(name = "gen-corpus", help_template = TEMPLATE, next_help_heading = "选项 (Options)")]
    GenCorpus(GenArgs),
    /// 启动网页应用：填报、审核、抽查、公开 (run the web application)
    #[command(help_template = TEMPLATE, next_help_heading = "选项 (Options)")]
    Serve(jixiao_cli::serve::ServeArgs),
    /// 用户管理：add | passwd | list (manage users)
    #[command(help_template = TEMPLATE, next_help_heading = "选项 (Options)")]
    User(jixiao_cli::user::UserArgs),
    /// 数据库：backup | restore | check (database backup, restore and integrity check)
    #[command(help_template = TEMPLATE, next_help_heading = "选项 (Options)")]
    Db(jixiao_cli::db::DbArgs),
}

#[derive(Clone, Copy, ValueEnum)]
enum FormatArg {
    /// 编译器式诊断 (compiler-style diagnostics)
    Human,
    /// DESIGN.md §3 的 JSON 数组 (the JSON array of DESIGN.md §3)
    Json,
}

#[derive(Args)]
struct ProfileArg {
    /// 评分规则：内置名称 central-2020|shanghai|sichuan|yunnan-20，或 TOML 文件路径
    /// (rule profile: a built-in name or a TOML file) [默认 default: central-2020]
    #[arg(long, value_name = "NAME|FILE")]
    profile: Option<String>,
}

#[derive(Args)]
struct CheckArgs {
    /// 输出格式 (output format)
    #[arg(long, value_enum, default_value = "human")]
    format: FormatArg,
    #[command(flatten)]
    profile: ProfileArg,
    /// 输入：文件、文件夹（递归）或 - 表示标准输入；格式按内容识别 (inputs: files, folders
    /// (recursed) or - for stdin; the format is detected by content)
    #[arg(
        value_name = "INPUT",
        required = true,
        help_heading = "参数 (Arguments)"
    )]
    inputs: Vec<String>,
}

#[derive(Args)]
struct ShowArgs {
    #[command(flatten)]
    profile: ProfileArg,
    /// 输入：文件、文件夹或 - (inputs: files, folders or - for stdin)
    #[arg(
        value_name = "INPUT",
        required = true,
        help_heading = "参数 (Arguments)"
    )]
    inputs: Vec<String>,
}

#[derive(Args)]
struct ConvertArgs {
    /// 输入文件，或 - 表示标准输入 (input file, or - for stdin)
    #[arg(value_name = "INPUT", help_heading = "参数 (Arguments)")]
    input: String,
    /// 输出文件，按扩展名决定格式：.json（规范 JSON）、.xlsx（官方版式）、.html（打印视图）、
    /// .jsonl（每行一张表）、.csv（指标 OUT.csv、表 OUT-forms.csv 和 datapackage.json）；用 -
    /// 表示标准输出（JSON）(output file, format by extension: .json canonical JSON, .xlsx
    /// official layout, .html print view, .jsonl one form per line, .csv indicators OUT.csv,
    /// forms OUT-forms.csv and datapackage.json beside them; use - for stdout as JSON)
    #[arg(short, long, value_name = "OUTPUT")]
    output: String,
    /// .xlsx：加一列按规则计算的得分和一张审核发现表 (.xlsx: add a column of computed scores
    /// and a sheet of findings)
    #[arg(long)]
    with_review: bool,
    /// .xlsx：所有表写在同一张工作表上 (.xlsx: every form on one sheet)
    #[arg(long)]
    one_sheet: bool,
    #[command(flatten)]
    profile: ProfileArg,
}

#[derive(Args)]
struct AuditArgs {
    /// HTML 报告文件 (the HTML report file)
    #[arg(short, long, value_name = "REPORT.html")]
    output: std::path::PathBuf,
    /// 另写一份 xlsx 报告（含逐表清单）(also write an xlsx report, with every form listed)
    #[arg(long, value_name = "REPORT.xlsx")]
    xlsx: Option<std::path::PathBuf>,
    #[command(flatten)]
    profile: ProfileArg,
    /// 工作线程数 [默认：CPU 核数] (worker threads [default: the number of cores])
    #[arg(long, value_name = "N")]
    jobs: Option<usize>,
    /// HTML 报告中逐一列出的有发现的表的上限 (most forms with findings listed one by one in
    /// the HTML report)
    #[arg(long, value_name = "N", default_value_t = jixiao_audit::report::MAX_LISTED)]
    max_listed: u64,
    /// 输入：文件、文件夹（递归）或 -；格式按内容识别 (inputs: files, folders (recursed) or
    /// -; the format is detected by content)
    #[arg(
        value_name = "INPUT",
        required = true,
        help_heading = "参数 (Arguments)"
    )]
    inputs: Vec<String>,
}

#[derive(Args)]
struct GenArgs {
    /// 生成的表数 (number of forms)
    #[arg(long, default_value_t = 1000)]
    forms: u64,
    /// 随机种子：同一种子生成同一语料 (seed: the same seed gives the same corpus)
    #[arg(long, default_value_t = 2023)]
    seed: u64,
    /// 输出文件；- 表示标准输出 (output file; - for stdout)
    #[arg(short, long, value_name = "FILE")]
    output: String,
}

/// Localise clap's own flags (`-h`, `-V`) in every command.
fn localise(cmd: clap::Command) -> clap::Command {
    let cmd = cmd
        .disable_help_flag(true)
        .arg(
            clap::Arg::new("help")
                .short('h')
                .long("help")
                .action(ArgAction::Help)
                .help("显示帮助 (print help)")
                .help_heading("选项 (Options)"),
        )
        .mut_subcommands(localise);
    if cmd.get_version().is_some() && cmd.get_name() == "jixiao" {
        cmd.disable_version_flag(true).arg(
            clap::Arg::new("version")
                .short('V')
                .long("version")
                .action(ArgAction::Version)
                .help("显示版本 (print version)")
                .help_heading("选项 (Options)"),
        )
    } else {
        cmd
    }
}

fn main() -> ExitCode {
    let matches = localise(Cli::command()).get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(error) if is_broken_pipe(&error) => {
            // `jixiao check … | head`: the reader has gone; stop quietly, as shells expect.
            ExitCode::from(141)
        }
        Err(error) => {
            let _ = io::stdout().flush();
            eprintln!("错误 (error): {error:#}");
            ExitCode::from(2)
        }
    }
}

fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|e| {
        e.downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
    })
}

fn color_for(stream_is_terminal: bool) -> Style {
    Style {
        color: stream_is_terminal && std::env::var_os("NO_COLOR").is_none(),
    }
}

fn run(cli: Cli) -> anyhow::Result<u8> {
    match cli.command {
        Command::Serve(args) => jixiao_cli::serve::run(args).map(|()| 0),
        Command::User(args) => jixiao_cli::user::run(args).map(|()| 0),
        Command::Db(args) => jixiao_cli::db::run(args),
        Command::Check(args) => {
            let profile = profiles::load(args.profile.profile.as_deref())?;
            let format = match args.format {
                FormatArg::Human => Format::Human,
                FormatArg::Json => Format::Json,
            };
            let stdout = io::stdout();
            let style = color_for(stdout.is_terminal());
            let out = io::BufWriter::with_capacity(256 * 1024, stdout.lock());
            let mut sink = Sink::new(format, out, style)?;
            let mut err = io::stderr().lock();
            let mut stdin = io::stdin().lock();
            let totals = check::run(&args.inputs, &profile, &mut sink, &mut err, &mut stdin)
                .context("写出结果失败 (writing the output failed)")?;
            sink.finish(&totals)?;
            Ok(totals.exit_code() as u8)
        }
        Command::Show(args) => {
            let profile = profiles::load(args.profile.profile.as_deref())?;
            let mut out = io::BufWriter::new(io::stdout().lock());
            let mut err = io::stderr().lock();
            let unreadable = show::run(&args.inputs, &profile, &mut out, &mut err)?;
            out.flush()?;
            Ok(if unreadable > 0 { 2 } else { 0 })
        }
        Command::Convert(args) => {
            let mut err = io::stderr().lock();
            let options = convert::Options {
                with_review: args.with_review,
                one_sheet: args.one_sheet,
                profile: match args.profile.profile.as_deref() {
                    Some(p) => Some(profiles::load(Some(p))?),
                    None => None,
                },
            };
            let n = convert::run_with(&args.input, &args.output, &options, &mut err)?;
            if args.output != "-" {
                writeln!(err, "已写出 {n} 张表到 {} (wrote {n} forms)", args.output)?;
            }
            Ok(0)
        }
        Command::Audit(args) => {
            let profile = profiles::load(args.profile.profile.as_deref())?;
            let options = audit::Options {
                inputs: args.inputs,
                output: args.output,
                xlsx: args.xlsx,
                jobs: args
                    .jobs
                    .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get())),
                max_listed: args.max_listed,
                progress: io::stderr().is_terminal(),
            };
            // Not `stderr().lock()`: the progress bar's ticker thread writes to stderr while the
            // audit runs, and a lock held here would deadlock it.
            let mut err = io::stderr();
            let summary = audit::run(&options, &profile, &mut err)?;
            writeln!(
                err,
                "审核了 {} 个输入、{} 张表：错误 {}，警告 {}，提示 {}；报告写入 {}{} \
                 (audited {} inputs, {} forms; report written)",
                summary.inputs,
                summary.forms,
                summary.errors,
                summary.warnings,
                summary.infos,
                options.output.display(),
                options
                    .xlsx
                    .as_ref()
                    .map_or(String::new(), |x| format!("、{}", x.display())),
                summary.inputs,
                summary.forms,
            )?;
            Ok(if summary.forms == 0 || summary.unreadable > 0 {
                2
            } else {
                0
            })
        }
        Command::GenCorpus(args) => {
            let written = if args.output == "-" {
                gen::write_corpus(
                    &mut io::BufWriter::new(io::stdout().lock()),
                    args.forms,
                    args.seed,
                )?
            } else {
                let file = std::fs::File::create(&args.output).with_context(|| {
                    format!("无法创建 {} (cannot create the file)", args.output)
                })?;
                gen::write_corpus(
                    &mut io::BufWriter::with_capacity(1 << 20, file),
                    args.forms,
                    args.seed,
                )?
            };
            if args.output != "-" {
                eprintln!(
                    "已生成 {} 张表，{} 字节，写入 {} (generated {} forms, {} bytes)",
                    args.forms, written, args.output, args.forms, written
                );
            }
            Ok(0)
        }
    }
}
