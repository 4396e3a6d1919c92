Attribute VB_Name = "PerfevalMarks"
' What Python cannot do in a constant number of Excel calls: a fill and a note on each finding's cell
' (recording the cell's own fill first, so the next run restores it) and the look of the output sheets.
' Python builds both specs (perfeval/excel/specs.py) and calls ApplyMarks once per click; this loop runs
' inside Excel, where touching a cell costs no cross-process round trip.
' A spec is records separated by Chr(30), each of fields separated by Chr(31).
' The state sheet has the same layout as the one the command-line tool writes, so either can undo the other.
Option Explicit

Private Const STATE_SHEET As String = "_perfeval"

' target: the Workbook (xlwings remote clients pass it) or its name (xlwings on COM passes the name).
' marks: sheet | address | fill RRGGBB | note text, one record per cell. Empty: only undo the last run.
' layout: sheet | widths | hidden columns | wrap from row | bold rows | font | size | link column | header row
'         | orientation (portrait or landscape).
Public Sub ApplyMarks(target As Variant, marks As String, layout As String)
    Dim wb As Workbook, prev As Object, screen As Boolean
    Dim rec As Variant
    If IsObject(target) Then Set wb = target Else Set wb = Workbooks(CStr(target))
    screen = Application.ScreenUpdating
    Application.ScreenUpdating = False
    Set prev = wb.ActiveSheet
    RestorePrevious wb
    If Len(marks) > 0 Then WriteMarks wb, Split(marks, Chr(30))
    If Len(layout) > 0 Then
        For Each rec In Split(layout, Chr(30))
            FormatSheet wb, Split(rec, Chr(31))
        Next rec
    End If
    On Error Resume Next
    prev.Activate
    On Error GoTo 0
    Application.ScreenUpdating = screen
End Sub

' Undo the last run: put back each recorded fill, remove our part of each note, drop the state sheet.
Private Sub RestorePrevious(wb As Workbook)
    Dim st As Worksheet, data As Variant, r As Long, cell As Range
    Set st = FindSheet(wb, STATE_SHEET)
    If st Is Nothing Then Exit Sub
    data = st.UsedRange.Value
    If IsArray(data) Then
        For r = 2 To UBound(data, 1)
            Set cell = FindCell(wb, CStr(data(r, 1)), CStr(data(r, 2)))
            If Not cell Is Nothing Then
                SetFill cell, CStr(data(r, 3))
                StripNote cell
            End If
        Next r
    End If
    Application.DisplayAlerts = False
    st.Visible = xlSheetVisible
    st.Delete
    Application.DisplayAlerts = True
End Sub

Private Sub WriteMarks(wb As Workbook, records As Variant)
    Dim state() As Variant, f As Variant, cell As Range, n As Long, i As Long, st As Worksheet
    ReDim state(0 To UBound(records) + 1, 0 To 2)
    state(0, 0) = "sheet": state(0, 1) = "address": state(0, 2) = "original_fill"
    n = 0
    For i = 0 To UBound(records)
        f = Split(records(i), Chr(31))
        Set cell = FindCell(wb, CStr(f(0)), CStr(f(1)))
        If Not cell Is Nothing Then
            n = n + 1
            state(n, 0) = f(0): state(n, 1) = f(1): state(n, 2) = FillCode(cell)
            SetFill cell, CStr(f(2))
            AddNote cell, CStr(f(3))
        End If
    Next i
    Set st = wb.Worksheets.Add(After:=wb.Worksheets(wb.Worksheets.Count))
    st.Name = STATE_SHEET
    st.Cells.NumberFormat = "@"  ' keep fill codes such as 000000 as text
    st.Range("A1").Resize(n + 1, 3).Value = state
    st.Visible = xlSheetHidden
End Sub

Private Function FindSheet(wb As Workbook, name As String) As Worksheet
    On Error Resume Next
    Set FindSheet = wb.Worksheets(name)
End Function

Private Function FindCell(wb As Workbook, sheetName As String, address As String) As Range
    Dim ws As Worksheet
    Set ws = FindSheet(wb, sheetName)
    If ws Is Nothing Then Exit Function
    On Error Resume Next
    Set FindCell = ws.Range(address)
End Function

' "none" or RRGGBB, the format of the state sheet (an ARGB code from the file tool also works).
Private Function FillCode(cell As Range) As String
    Dim c As Long
    If cell.Interior.ColorIndex = xlNone Then
        FillCode = "none"
    Else
        c = cell.Interior.Color  ' Excel stores BGR
        FillCode = Hex2(c Mod 256) & Hex2((c \ 256) Mod 256) & Hex2(c \ 65536)
    End If
End Function

Private Function Hex2(v As Long) As String
    Hex2 = Right$("0" & Hex$(v), 2)
End Function

Private Sub SetFill(cell As Range, code As String)
    Dim h As String
    If code = "none" Or Len(code) < 6 Then
        cell.Interior.Pattern = xlNone
    Else
        h = Right$(code, 6)
        cell.Interior.Color = RGB(CLng("&H" & Mid$(h, 1, 2)), CLng("&H" & Mid$(h, 3, 2)), CLng("&H" & Mid$(h, 5, 2)))
    End If
End Sub

Private Function NoteMark() As String
    NoteMark = ChrW(&H3010) & "perfeval" & ChrW(&H3011)  ' the mark the command-line tool uses too
End Function

' Keep the user's own note text; append ours after the mark.
Private Sub AddNote(cell As Range, text As String)
    Dim existing As String
    On Error Resume Next  ' a cell holding a threaded comment cannot take a note: keep the fill only
    If cell.Comment Is Nothing Then
        cell.AddComment
    Else
        existing = TrimEnd(cell.Comment.text) & vbLf & vbLf
    End If
    SetNoteText cell.Comment, existing & NoteMark() & vbLf & text
    cell.Comment.Shape.Width = 270
    cell.Comment.Shape.Height = 120
End Sub

Private Sub StripNote(cell As Range)
    Dim t As String, p As Long
    On Error Resume Next
    If cell.Comment Is Nothing Then Exit Sub
    t = cell.Comment.text
    p = InStr(1, t, NoteMark())
    If p = 0 Then Exit Sub
    t = TrimEnd(Left$(t, p - 1))
    If Len(t) = 0 Then cell.Comment.Delete Else SetNoteText cell.Comment, t
End Sub

' Comment.Text takes at most 255 characters a call; longer notes go in pieces.
Private Sub SetNoteText(c As Comment, text As String)
    Dim pos As Long
    c.text text:=Left$(text, 250)
    pos = 251
    Do While pos <= Len(text)
        c.text text:=Mid$(text, pos, 250), Start:=pos
        pos = pos + 250
    Loop
End Sub

Private Function TrimEnd(s As String) As String
    TrimEnd = s
    Do While Len(TrimEnd) > 0 And InStr(1, " " & vbCr & vbLf & vbTab, Right$(TrimEnd, 1)) > 0
        TrimEnd = Left$(TrimEnd, Len(TrimEnd) - 1)
    Loop
End Function

Private Sub FormatSheet(wb As Workbook, f As Variant)
    Dim ws As Worksheet, w As Variant, i As Long, c As Variant, lastRow As Long, lastCol As Long
    Dim r As Long, headerRow As Long, linkCol As Long
    Set ws = FindSheet(wb, CStr(f(0)))
    If ws Is Nothing Then Exit Sub
    On Error Resume Next  ' formatting is cosmetic: never let it stop the run
    headerRow = Val(f(8))
    w = Split(f(1), ",")
    For i = 0 To UBound(w)
        ws.Columns(i + 1).ColumnWidth = Val(w(i))
    Next i
    If Len(f(2)) > 0 Then
        For Each c In Split(f(2), ",")
            ws.Columns(CLng(c)).Hidden = True
        Next c
    End If
    lastRow = ws.UsedRange.Row + ws.UsedRange.Rows.Count - 1
    lastCol = ws.UsedRange.Column + ws.UsedRange.Columns.Count - 1
    With ws.Range(ws.Cells(1, 1), ws.Cells(lastRow, lastCol)).Font
        .Name = f(5)
        .Size = Val(f(6))
    End With
    If Val(f(3)) > 0 And lastRow >= Val(f(3)) Then
        With ws.Range(ws.Cells(Val(f(3)), 1), ws.Cells(lastRow, lastCol))
            .WrapText = True
            .VerticalAlignment = xlTop
        End With
    End If
    If Len(f(4)) > 0 Then
        For Each c In Split(f(4), ",")
            ws.Rows(CLng(c)).Font.Bold = True
        Next c
    End If
    ws.Cells(1, 1).Font.Size = Val(f(6)) + IIf(headerRow = 0, 5, 2)  ' a report title is larger
    linkCol = Val(f(7))
    If linkCol > 0 Then
        For r = 1 To lastRow
            If Left$(ws.Cells(r, linkCol).Formula, 11) = "=HYPERLINK(" Then
                ws.Cells(r, linkCol).Font.Color = RGB(5, 99, 193)
                ws.Cells(r, linkCol).Font.Underline = xlUnderlineStyleSingle
            End If
        Next r
    End If
    With ws.PageSetup
        .Orientation = IIf(f(9) = "portrait", xlPortrait, xlLandscape)
        .Zoom = False
        .FitToPagesWide = 1
        .FitToPagesTall = False
    End With
    If headerRow > 0 Then
        ws.Activate
        ActiveWindow.FreezePanes = False
        ActiveWindow.SplitColumn = 0
        ActiveWindow.SplitRow = headerRow
        ActiveWindow.FreezePanes = True
    End If
End Sub
