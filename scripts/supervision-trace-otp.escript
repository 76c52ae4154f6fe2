#!/usr/bin/env escript
%% -*- erlang -*-
%%! -noshell +S 1
%%
%% The Erlang/OTP reference for `supervision-trace`: reads the same JSON scenario on stdin, runs
%% it on real `supervisor` and `gen_server` processes, and prints the same event lines. The
%% golden traces in Tests/SupervisionTests/SupervisionTraceTests.swift were derived with it, and
%% that test compares against it when `escript` is installed. Usage:
%%
%%     escript scripts/supervision-trace-otp.escript < scenario.json
%%
%% One scheduler (`+S 1`) keeps the order deterministic where OTP itself runs things in
%% parallel: a dynamic supervisor stops its workers all at once, and their `stop` lines then
%% come in the order the exit signals were sent. The mapping is in docs/supervision.md.
-mode(compile).
-export([init/1, start_link/1, handle_call/3, handle_cast/2, handle_info/2, terminate/2]).

main(_) ->
    ok = logger:set_primary_config(level, none),
    Scenario = parse_json(read_stdin()),
    %% Path (a string; the root is "") → the pid of its newest incarnation.
    ets:new(trace_pids, [named_table, public, set]),
    %% Supervisor path → worker | dynamic | static, to address steps.
    ets:new(trace_kinds, [named_table, public, set]),
    record_kinds("", Scenario),
    {ok, Root} = supervisor:start_link(?MODULE, {static, "", Scenario}),
    unlink(Root),
    run_steps(maps:get(<<"steps">>, Scenario, []), Root),
    halt(0).

%% --- Steps -------------------------------------------------------------------------------

run_steps([], _) -> ok;
run_steps([Step | Rest], Root) ->
    [{Name, Argument}] = maps:to_list(Step),
    run_step(binary_to_list(Name), Argument),
    case is_process_alive(Root) of
        true -> run_steps(Rest, Root);
        false -> emit([{ev, "supervisor_exit"}, {reason, "shutdown"}])
    end.

run_step("crash", Path) -> exit_child(binary_to_list(Path), "crash", crash);
run_step("exit_normal", Path) -> exit_child(binary_to_list(Path), "normal", exit_normal);
run_step("advance_ms", Ms) -> timer:sleep(Ms);
run_step("terminate_child", Path) ->
    with_parent("terminate_child", binary_to_list(Path), fun(Sup, Kind, Id, Child) ->
        case Kind of
            dynamic when is_pid(Child) -> result(supervisor:terminate_child(Sup, Child));
            dynamic -> "not_found";
            static -> result(supervisor:terminate_child(Sup, Id))
        end
    end);
run_step("restart_child", Path) ->
    with_parent("restart_child", binary_to_list(Path),
                fun(Sup, _, Id, _) -> result(supervisor:restart_child(Sup, Id)) end);
run_step("delete_child", Path) ->
    with_parent("delete_child", binary_to_list(Path),
                fun(Sup, _, Id, _) -> result(supervisor:delete_child(Sup, Id)) end);
run_step("start_child", Spec) ->
    Path = binary_to_list(maps:get(<<"id">>, Spec)),
    with_parent("start_child", Path, fun(Sup, Kind, Id, Child) ->
        case Kind of
            %% A dynamic supervisor's workers are told apart by name only here, in the harness:
            %% a name in use is refused before OTP is asked (OTP would start a second one).
            dynamic when is_pid(Child) -> "already_started";
            dynamic -> result(supervisor:start_child(Sup, [Path]));
            static -> result(supervisor:start_child(Sup, worker_spec(Id, Path, restart(Spec))))
        end
    end);
run_step("which_children", true) -> which_children("");
run_step("which_children", Path) -> which_children(binary_to_list(Path)).

which_children(Path) ->
    case running(Path) of
        undefined -> reply("which_children", "noproc");
        Sup ->
            Children = lists:reverse(supervisor:which_children(Sup)),
            {Ids, Running} =
                case ets:lookup_element(trace_kinds, Path, 2) of
                    dynamic ->
                        Names = lists:sort([last_segment(name_of(Pid)) || {_, Pid, _, _} <- Children, is_pid(Pid)]),
                        {Names, Names};
                    static ->
                        {[Id || {Id, _, _, _} <- Children], [Id || {Id, Pid, _, _} <- Children, is_pid(Pid)]}
                end,
            IdField = case Path of "" -> []; _ -> [{id, Path}] end,
            emit([{ev, "children"}] ++ IdField ++ [{ids, Ids}, {running, Running}])
    end.

%% Runs `Body(SupervisorPid, Kind, ChildId, ChildPidOrUndefined)` for a step addressed to the
%% child `Path`, and prints its reply; `noproc` when the child's supervisor is not running.
with_parent(Step, Path, Body) ->
    {Parent, Id} = split(Path),
    case running(Parent) of
        undefined -> reply(Step, "noproc");
        Sup -> reply(Step, Body(Sup, ets:lookup_element(trace_kinds, Parent, 2), Id, running(Path)))
    end.

%% Makes a running worker exit, then waits until every supervisor that the exit reaches has
%% dealt with it: its own, and each ancestor whose child gave up.
exit_child(Path, Reason, Message) ->
    case running(Path) of
        undefined -> ok;
        Pid ->
            Chain = [running(Ancestor) || Ancestor <- ancestors(Path)],
            emit([{ev, "exit"}, {id, Path}, {reason, Reason}]),
            Ref = monitor(process, Pid),
            gen_server:cast(Pid, Message),
            receive {'DOWN', Ref, process, Pid, _} -> ok end,
            settle(Chain)
    end.

%% `sys:get_state` answers once the supervisor has handled every message queued before it (the
%% child's 'EXIT' among them); a supervisor that gave up answers nothing, and then its parent
%% has its 'EXIT' to handle.
settle([]) -> ok;
settle([Sup | Outer]) ->
    Ref = monitor(process, Sup),
    case catch sys:get_state(Sup) of
        {'EXIT', _} ->
            receive {'DOWN', Ref, process, Sup, _} -> ok end,
            settle(Outer);
        _ ->
            demonitor(Ref, [flush])
    end.

%% --- The processes -------------------------------------------------------------------------

init({static, Path, Spec}) ->
    started(Path),
    Flags = #{strategy => binary_to_atom(maps:get(<<"strategy">>, Spec, <<"one_for_one">>)),
              intensity => maps:get(<<"intensity">>, Spec, 3),
              period => maps:get(<<"period_ms">>, Spec, 5000) div 1000},
    {ok, {Flags, [child_spec(join(Path, binary_to_list(maps:get(<<"id">>, Child))), Child)
                  || Child <- maps:get(<<"children">>, Spec, [])]}};
init({dynamic, Path, Spec}) ->
    started(Path),
    Flags = #{strategy => simple_one_for_one,
              intensity => maps:get(<<"intensity">>, Spec, 3),
              period => maps:get(<<"period_ms">>, Spec, 5000) div 1000},
    Restart = binary_to_atom(maps:get(<<"worker_restart">>, Spec, <<"permanent">>)),
    {ok, {Flags, [#{id => worker, start => {?MODULE, start_link, []}, restart => Restart,
                    shutdown => 5000, type => worker}]}};
init(Path) ->
    process_flag(trap_exit, true),
    started(Path),
    {ok, Path}.

%% gen_server:start_link(?MODULE, Path) for a dynamic supervisor's worker: Path is the extra
%% argument of start_child, appended to the spec's [?MODULE].
start_link(Path) -> gen_server:start_link(?MODULE, Path, []).

started(Path) ->
    ets:insert(trace_pids, {Path, self()}),
    case Path of "" -> ok; _ -> emit([{ev, "start"}, {id, Path}]) end.

handle_call(_, _, Path) -> {reply, ok, Path}.
handle_cast(crash, Path) -> {stop, crash, Path};
handle_cast(exit_normal, Path) -> {stop, normal, Path}.
handle_info(_, Path) -> {noreply, Path}.

terminate(shutdown, Path) -> emit([{ev, "stop"}, {id, Path}]);
terminate(_, _) -> ok.

child_spec(Path, Child) ->
    Id = binary_to_list(maps:get(<<"id">>, Child)),
    case maps:get(<<"type">>, Child, <<"worker">>) of
        <<"worker">> -> worker_spec(Id, Path, restart(Child));
        <<"supervisor">> ->
            #{id => Id, start => {supervisor, start_link, [?MODULE, {static, Path, Child}]},
              restart => restart(Child), shutdown => infinity, type => supervisor};
        <<"dynamic">> ->
            #{id => Id, start => {supervisor, start_link, [?MODULE, {dynamic, Path, Child}]},
              restart => restart(Child), shutdown => infinity, type => supervisor}
    end.

worker_spec(Id, Path, Restart) ->
    #{id => Id, start => {gen_server, start_link, [?MODULE, Path, []]}, restart => Restart,
      shutdown => 5000, type => worker}.

restart(Spec) -> binary_to_atom(maps:get(<<"restart">>, Spec, <<"permanent">>)).

record_kinds(Path, Spec) ->
    ets:insert(trace_kinds, {Path, static}),
    [case maps:get(<<"type">>, Child, <<"worker">>) of
         <<"supervisor">> -> record_kinds(join(Path, binary_to_list(maps:get(<<"id">>, Child))), Child);
         <<"dynamic">> -> ets:insert(trace_kinds, {join(Path, binary_to_list(maps:get(<<"id">>, Child))), dynamic});
         _ -> ok
     end || Child <- maps:get(<<"children">>, Spec, [])].

%% --- Paths and output ------------------------------------------------------------------------

%% The pid of the newest incarnation at Path, if it is alive.
running(Path) ->
    case ets:lookup(trace_pids, Path) of
        [{_, Pid}] -> case is_process_alive(Pid) of true -> Pid; false -> undefined end;
        [] -> undefined
    end.

name_of(Pid) -> [Path] = [P || {P, Q} <- ets:tab2list(trace_pids), Q =:= Pid], Path.

ancestors(Path) ->
    case split(Path) of
        {"", _} -> [""];
        {Parent, _} -> [Parent | ancestors(Parent)]
    end.

split(Path) ->
    case string:split(Path, "/", trailing) of
        [Id] -> {"", Id};
        [Parent, Id] -> {Parent, Id}
    end.

join("", Id) -> Id;
join(Parent, Id) -> Parent ++ "/" ++ Id.

last_segment(Path) -> element(2, split(Path)).

result(ok) -> "ok";
result({ok, _}) -> "ok";
result({ok, _, _}) -> "ok";
result({error, {already_started, _}}) -> "already_started";
result({error, Reason}) when is_atom(Reason) -> atom_to_list(Reason);
result(_) -> "error".

reply(Step, Result) -> emit([{ev, "reply"}, {step, Step}, {result, Result}]).

emit(Fields) ->
    io:put_chars(["{", lists:join(",", [[quote(atom_to_list(K)), ":", value(V)] || {K, V} <- Fields]), "}\n"]).

value([]) -> "[]";
value([First | _] = List) when is_list(First) -> ["[", lists:join(",", [quote(S) || S <- List]), "]"];
value(String) -> quote(String).

quote(String) -> ["\"", [case C of $" -> "\\\""; $\\ -> "\\\\"; _ -> C end || C <- String], "\""].

%% --- A small JSON reader (OTP 25 has none) -------------------------------------------------

read_stdin() -> read_stdin([]).
read_stdin(Acc) ->
    case io:get_chars('', 65536) of
        eof -> unicode:characters_to_binary(lists:reverse(Acc));
        Data -> read_stdin([Data | Acc])
    end.

parse_json(Text) ->
    {Value, Rest} = value_of(skip(Text)),
    <<>> = skip(Rest),
    Value.

value_of(<<${, Rest/binary>>) -> object(skip(Rest), #{});
value_of(<<$[, Rest/binary>>) -> array(skip(Rest), []);
value_of(<<$", Rest/binary>>) -> string(Rest, <<>>);
value_of(<<"true", Rest/binary>>) -> {true, Rest};
value_of(<<"false", Rest/binary>>) -> {false, Rest};
value_of(<<"null", Rest/binary>>) -> {null, Rest};
value_of(Text) -> number(Text, []).

object(<<$}, Rest/binary>>, Map) -> {Map, Rest};
object(Text, Map) ->
    {Key, AfterKey} = value_of(skip(Text)),
    <<$:, AfterColon/binary>> = skip(AfterKey),
    {Value, AfterValue} = value_of(skip(AfterColon)),
    case skip(AfterValue) of
        <<$,, More/binary>> -> object(skip(More), Map#{Key => Value});
        <<$}, More/binary>> -> {Map#{Key => Value}, More}
    end.

array(<<$], Rest/binary>>, Acc) -> {lists:reverse(Acc), Rest};
array(Text, Acc) ->
    {Value, After} = value_of(skip(Text)),
    case skip(After) of
        <<$,, More/binary>> -> array(skip(More), [Value | Acc]);
        <<$], More/binary>> -> {lists:reverse([Value | Acc]), More}
    end.

string(<<$", Rest/binary>>, Acc) -> {Acc, Rest};
string(<<$\\, C, Rest/binary>>, Acc) -> string(Rest, <<Acc/binary, C>>);
string(<<C, Rest/binary>>, Acc) -> string(Rest, <<Acc/binary, C>>).

number(<<C, Rest/binary>>, Acc) when C >= $0, C =< $9; C =:= $- -> number(Rest, [C | Acc]);
number(Rest, Acc) -> {list_to_integer(lists:reverse(Acc)), Rest}.

skip(<<C, Rest/binary>>) when C =:= $\s; C =:= $\n; C =:= $\r; C =:= $\t -> skip(Rest);
skip(Text) -> Text.
