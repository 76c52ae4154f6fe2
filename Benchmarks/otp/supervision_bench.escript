#!/usr/bin/env escript
%% -*- erlang -*-
%%! -noshell +sbwt none
%%
%% The Erlang/OTP side of `lasso-bench supervision --vs-otp`: the same five measurements as
%% Benchmarks/SupervisionBenchmark.swift, with gen_server and supervisor, printed as the same
%% one-line JSON object. Each figure mirrors the Swift one step for step (see the comment above
%% each function); the logger is off, as the Swift runtime logs nothing on these paths.
%%
%% `+sbwt none`: schedulers sleep at once instead of busy-waiting, as Swift's threads do, so
%% neither runtime burns the second core polling (the machine is shared with other builds).
-mode(compile).
-export([init/1, handle_call/3, handle_cast/2]).

main(_) ->
    ok = logger:set_primary_config(level, none),
    %% Workers first, as on the Swift side, where resident memory only grows on a fresh heap.
    {SpawnSeconds, BytesPerWorker} = spawn_workers(),
    {CallP50, CallP99} = call_latency(),
    CastsPerSecond = cast_throughput(),
    {RestartP50, RestartP99} = restart_latency(),
    Figures = [{"call_p50_us", CallP50}, {"call_p99_us", CallP99}, {"casts_per_s", CastsPerSecond},
               {"spawn_100k_s", SpawnSeconds}, {"bytes_per_worker", BytesPerWorker},
               {"restart_p50_us", RestartP50}, {"restart_p99_us", RestartP99}],
    Fields = [io_lib:format("\"~s\":~s", [Name, format(Value)]) || {Name, Value} <- Figures],
    io:format("{~s}~n", [lists:join(",", Fields)]),
    halt(0).

%% One caller, one server: 20,000 warm-up calls, then 200,000 timed one by one.
call_latency() ->
    {ok, Server} = gen_server:start(?MODULE, echo, []),
    [gen_server:call(Server, {echo, I}) || I <- lists:seq(1, 20000)],
    Samples = [time_call(Server, I) || I <- lists:seq(1, 200000)],
    gen_server:stop(Server),
    {percentile(Samples, 0.50), percentile(Samples, 0.99)}.

time_call(Server, I) ->
    Start = erlang:monotonic_time(nanosecond),
    I = gen_server:call(Server, {echo, I}),
    (erlang:monotonic_time(nanosecond) - Start) / 1000.

%% 2,000,000 casts into one mailbox from one sender; the clock stops when a call queued behind
%% them answers how many the server handled.
cast_throughput() ->
    {ok, Server} = gen_server:start(?MODULE, echo, []),
    Count = 2000000,
    Start = erlang:monotonic_time(nanosecond),
    cast_loop(Server, Count),
    Count = gen_server:call(Server, {echo, -1}, 120000),
    Elapsed = erlang:monotonic_time(nanosecond) - Start,
    gen_server:stop(Server),
    Count / (Elapsed / 1.0e9).

cast_loop(_, 0) -> ok;
cast_loop(Server, N) -> gen_server:cast(Server, count), cast_loop(Server, N - 1).

%% 100,000 idle workers started one by one under a simple_one_for_one supervisor (the
%% DynamicSupervisor's counterpart), temporary like the Swift ones: the time, and the growth of
%% the OS process's resident memory per worker.
spawn_workers() ->
    {ok, Supervisor} = supervisor:start_link(?MODULE, dynamic),
    Workers = 100000,
    RssBefore = resident_bytes(),
    Start = erlang:monotonic_time(nanosecond),
    [{ok, _} = supervisor:start_child(Supervisor, []) || _ <- lists:seq(1, Workers)],
    Elapsed = erlang:monotonic_time(nanosecond) - Start,
    RssAfter = resident_bytes(),
    unlink(Supervisor),
    stop(Supervisor),
    {Elapsed / 1.0e9, (RssAfter - RssBefore) / Workers}.

%% 20,000 rounds of: crash the child, wait until its replacement's init has run; the first
%% 1,000 are warm-up. A fresh supervisor (intensity 1000 in 1 s, both sides) every 200 rounds
%% keeps the restart window small: OTP measures the window in whole seconds and walks it on
%% every restart, which would otherwise dominate the figure.
restart_latency() ->
    Samples = restart_blocks(100, []),
    Timed = lists:nthtail(1000, Samples),
    {percentile(Timed, 0.50), percentile(Timed, 0.99)}.

restart_blocks(0, Samples) -> lists:reverse(Samples);
restart_blocks(Blocks, Samples) ->
    {ok, Supervisor} = supervisor:start_link(?MODULE, {restarts, self()}),
    Victim = receive {victim_started, Pid, _} -> Pid end,
    Block = restart_rounds(Victim, 200, Samples),
    unlink(Supervisor),
    stop(Supervisor),
    restart_blocks(Blocks - 1, Block).

restart_rounds(_, 0, Samples) -> Samples;
restart_rounds(Victim, N, Samples) ->
    Start = erlang:monotonic_time(nanosecond),
    gen_server:cast(Victim, crash),
    receive
        {victim_started, Replacement, At} ->
            restart_rounds(Replacement, N - 1, [(At - Start) / 1000 | Samples])
    end.

stop(Supervisor) ->
    Ref = monitor(process, Supervisor),
    exit(Supervisor, shutdown),
    receive {'DOWN', Ref, process, _, _} -> ok end.

%% The callbacks: the benchmark's servers and supervisors, told apart by init's argument.
init(echo) -> {ok, 0};
init(idle) -> {ok, idle};
init({victim, Bench}) ->
    Bench ! {victim_started, self(), erlang:monotonic_time(nanosecond)},
    {ok, victim};
init(dynamic) ->
    {ok, {#{strategy => simple_one_for_one, intensity => 3, period => 5},
          [#{id => idle, start => {gen_server, start_link, [?MODULE, idle, []]}, restart => temporary}]}};
init({restarts, Bench}) ->
    {ok, {#{strategy => one_for_one, intensity => 1000, period => 1},
          [#{id => victim, start => {gen_server, start_link, [?MODULE, {victim, Bench}, []]}}]}}.

handle_call({echo, -1}, _From, Received) -> {reply, Received, Received};
handle_call({echo, Value}, _From, Received) -> {reply, Value, Received}.

handle_cast(count, Received) -> {noreply, Received + 1};
handle_cast(crash, State) -> {stop, crash, State}.

%% Helpers, as in the Swift benchmark.
percentile(Samples, Fraction) ->
    Sorted = lists:sort(Samples),
    lists:nth(1 + trunc((length(Sorted) - 1) * Fraction), Sorted).

resident_bytes() ->
    {ok, Text} = file:read_file("/proc/" ++ os:getpid() ++ "/statm"),
    [_, Pages | _] = binary:split(Text, <<" ">>, [global]),
    binary_to_integer(Pages) * page_size().

page_size() ->
    list_to_integer(string:trim(os:cmd("getconf PAGESIZE"))).

format(Value) when Value >= 100 -> integer_to_list(round(Value));
format(Value) -> float_to_list(float(Value), [{decimals, 2}]).
