Attribute VB_Name = "PerfevalMarks"
' What Python cannot do in a constant number of Excel calls: a fill and a note on each finding's cell
' (recording the cell's own fill first, so the next run restores it), the look of the output sheets and
' the hidden sheet-scoped names that mark the tool's own sheets. Python builds the arguments
' (perfeval/excel/specs.py) and calls UndoMarks once before it changes anything and ApplyMarks once after;
' these loops run inside Excel, where touching a cell costs no cross-process round trip.
' A spec is records separated by Chr(30), each of fields separated by Chr(31).
' The state sheet has the layout the command-line tool writes (sheet | address | original_fill), so either
' can undo the other. original_fill is the cell's fill as the OOXML <fill> element of styles.xml (namespace
' left out); "none" and RRGGBB from older runs are read too.
Option Explicit

' target: the Workbook (xlwings remote clients pass it) or its name (xlwings on COM passes the name).
' stateSheet: the last run's state sheet, or "". Its fills and notes are put back and it is made visible:
'             Python deletes it next.
' unmarkSheets: sheets (Chr(30)-separated) that become the user's: the tool's marks come off them.
' markNames: every mark name the tool uses (Chr(31)-separated).
' markFills: the fills a mark can have (Chr(31)-separated <fill>s); a marked cell with another fill now was
'            refilled by the user since: it keeps that fill (its note still loses our part).
Public Sub UndoMarks(target As Variant, stateSheet As String, unmarkSheets As String, markNames As String, markFills As String)
    Dim wb As Workbook, st As Worksheet, screen As Boolean, s As Variant
    Set wb = BookOf(target)
    screen = Application.ScreenUpdating
    Application.ScreenUpdating = False
    If Len(stateSheet) > 0 Then
        Set st = FindSheet(wb, stateSheet)
        If Not st Is Nothing Then
            RestoreFrom wb, st, Split(markFills, Chr(31))
            On Error Resume Next
            st.Visible = xlSheetVisible  ' a very hidden sheet cannot be deleted
            On Error GoTo 0
        End If
    End If
    If Len(unmarkSheets) > 0 Then
        For Each s In Split(unmarkSheets, Chr(30))
            DropMarks wb, CStr(s), Split(markNames, Chr(31))
        Next s
    End If
    Application.ScreenUpdating = screen
End Sub

' marks: sheet | address | fill (<fill> XML) | note text, one record per cell.
' layout: sheet | widths | hidden columns | wrap from row | bold rows | font | size | link column | header row
'         | orientation (portrait or landscape) | mark name.
' stateSheet, stateMark: the name of the new state sheet and of the mark it carries.
Public Sub ApplyMarks(target As Variant, marks As String, layout As String, stateSheet As String, stateMark As String)
    Dim wb As Workbook, prev As Object, screen As Boolean
    Dim rec As Variant
    Set wb = BookOf(target)
    screen = Application.ScreenUpdating
    Application.ScreenUpdating = False
    Set prev = wb.ActiveSheet
    WriteMarks wb, marks, stateSheet, stateMark
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

Private Function BookOf(target As Variant) As Workbook
    If IsObject(target) Then Set BookOf = target Else Set BookOf = Workbooks(CStr(target))
End Function

' Put back each recorded fill (unless the user refilled the cell since) and remove our part of each note.
Private Sub RestoreFrom(wb As Workbook, st As Worksheet, markFills As Variant)
    Dim data As Variant, r As Long, cell As Range
    data = st.UsedRange.Value
    If Not IsArray(data) Then Exit Sub
    If UBound(data, 2) < 3 Then Exit Sub
    For r = 2 To UBound(data, 1)
        If Not IsError(data(r, 1)) And Not IsError(data(r, 2)) And Not IsError(data(r, 3)) Then
            Set cell = FindCell(wb, CStr(data(r, 1)), CStr(data(r, 2)))
            If Not cell Is Nothing Then
                If HasMarkFill(cell, markFills) Then ApplyFill cell, CStr(data(r, 3))
                StripNote cell
            End If
        End If
    Next r
End Sub

Private Sub WriteMarks(wb As Workbook, marks As String, stateSheet As String, stateMark As String)
    Dim records As Variant, state() As Variant, f As Variant, cell As Range
    Dim n As Long, i As Long, st As Worksheet
    If Len(marks) > 0 Then records = Split(marks, Chr(30)) Else records = Array()
    ReDim state(0 To UBound(records) + 1, 0 To 2)
    state(0, 0) = "sheet": state(0, 1) = "address": state(0, 2) = "original_fill"
    n = 0
    For i = 0 To UBound(records)
        f = Split(records(i), Chr(31))
        Set cell = FindCell(wb, CStr(f(0)), CStr(f(1)))
        If Not cell Is Nothing Then
            n = n + 1
            state(n, 0) = f(0): state(n, 1) = f(1): state(n, 2) = FillXml(cell)
            ApplyFill cell, CStr(f(2))
            AddNote cell, CStr(f(3))
        End If
    Next i
    Set st = wb.Worksheets.Add(After:=wb.Worksheets(wb.Worksheets.Count))
    On Error Resume Next  ' the mark, not the name, tells the next run this sheet is ours
    st.Name = stateSheet
    On Error GoTo 0
    st.Cells.NumberFormat = "@"  ' keep every value as the text written
    st.Range("A1").Resize(n + 1, 3).Value = state
    AddMark wb, st, stateMark
    st.Visible = xlSheetHidden
End Sub

Private Function FindSheet(wb As Workbook, sheetName As String) As Worksheet
    On Error Resume Next
    Set FindSheet = wb.Worksheets(sheetName)
End Function

Private Function FindCell(wb As Workbook, sheetName As String, address As String) As Range
    Dim ws As Worksheet
    Set ws = FindSheet(wb, sheetName)
    If ws Is Nothing Then Exit Function
    On Error Resume Next
    Set FindCell = ws.Range(address)
End Function

' ---- the tool's marks: hidden sheet-scoped names referring to the sheet's A1 ----------------------------

Private Function Quoted(sheetName As String) As String
    Quoted = "'" & Replace(sheetName, "'", "''") & "'"
End Function

Private Sub AddMark(wb As Workbook, ws As Worksheet, mark As String)
    Dim nm As Name
    On Error Resume Next
    Set nm = ws.Names.Add(Name:=mark, RefersTo:="=" & Quoted(ws.Name) & "!$A$1", Visible:=False)
    If Not nm Is Nothing Then
        If Not TypeOf nm.Parent Is Worksheet Then  ' became a workbook name: use the sheet-qualified form
            nm.Delete
            Set nm = Nothing
        End If
    End If
    If nm Is Nothing Then
        Set nm = wb.Names.Add(Name:=Quoted(ws.Name) & "!" & mark, RefersTo:="=" & Quoted(ws.Name) & "!$A$1", Visible:=False)
    End If
    nm.Visible = False
End Sub

Private Sub DropMarks(wb As Workbook, sheetName As String, marks As Variant)
    Dim i As Long, nm As Name, localName As String, m As Variant
    On Error Resume Next
    For i = wb.Names.Count To 1 Step -1
        Set nm = wb.Names(i)
        If TypeOf nm.Parent Is Worksheet Then
            If nm.Parent.Name = sheetName Then
                localName = Mid$(nm.Name, InStrRev(nm.Name, "!") + 1)
                For Each m In marks
                    If localName = CStr(m) Then
                        nm.Delete
                        Exit For
                    End If
                Next m
            End If
        End If
    Next i
End Sub

' ---- fills: Interior <-> the OOXML <fill> element ----------------------------------------------------
' A fill is read into a description, Array(pattern, cell colour, pattern colour, gradient), and written
' from one: ReadFill and FillSpec (text <-> description) touch no cell; DescribeInterior and SetInterior
' (Excel <-> description) hold every Excel call.
'   pattern: an XlPattern constant (xlPatternNone, xlPatternSolid, ..., xlPatternLinearGradient,
'            xlPatternRectangularGradient).
'   a colour: Array(source, value, tint); source "" (none), "theme" (value: XlThemeColor), "rgb" (value:
'            RRGGBB), "index" (value: ColorIndex 1-56 of the workbook palette) or "auto".
'   gradient: Array(isPath, degree, left, right, top, bottom, stops); a stop: Array(position, colour).
' OOXML's theme index is XlThemeColor - 1 (theme 0 = Background 1 = xlThemeColorDark1); its indexed
' colours 8-63 are ColorIndex 1-56 (0-7 repeat the first eight), 64 is automatic. For a pattern fill
' fgColor is the pattern colour and bgColor the cell colour; for a solid fill fgColor is the cell colour.

Private Function PatternTable() As Variant
    PatternTable = Array( _
        Array(xlPatternSolid, "solid"), Array(xlPatternGray75, "darkGray"), _
        Array(xlPatternGray50, "mediumGray"), Array(xlPatternGray25, "lightGray"), _
        Array(xlPatternGray16, "gray125"), Array(xlPatternGray8, "gray0625"), _
        Array(xlPatternHorizontal, "darkHorizontal"), Array(xlPatternVertical, "darkVertical"), _
        Array(xlPatternDown, "darkDown"), Array(xlPatternUp, "darkUp"), _
        Array(xlPatternChecker, "darkGrid"), Array(xlPatternSemiGray75, "darkTrellis"), _
        Array(xlPatternLightHorizontal, "lightHorizontal"), Array(xlPatternLightVertical, "lightVertical"), _
        Array(xlPatternLightDown, "lightDown"), Array(xlPatternLightUp, "lightUp"), _
        Array(xlPatternGrid, "lightGrid"), Array(xlPatternCrissCross, "lightTrellis"))
End Function

Private Function PatternName(ByVal p As Long) As String
    Dim e As Variant
    For Each e In PatternTable()
        If e(0) = p Then
            PatternName = e(1)
            Exit Function
        End If
    Next e
End Function

Private Function PatternOf(ByVal kind As String) As Long
    Dim e As Variant
    PatternOf = xlPatternSolid
    For Each e In PatternTable()
        If e(1) = kind Then
            PatternOf = e(0)
            Exit Function
        End If
    Next e
End Function

Private Function NoColor() As Variant
    NoColor = Array("", "", 0#)
End Function

' <fill> XML (or "none" / RRGGBB / AARRGGBB from older state sheets) -> description.
Private Function ReadFill(ByVal spec As String) As Variant
    Dim s As String, kind As String, p As Long, fg As Variant, bg As Variant
    s = Trim$(spec)
    ReadFill = Array(xlPatternNone, NoColor(), NoColor(), Empty)
    If Len(s) = 0 Or LCase$(s) = "none" Then Exit Function
    If Left$(s, 1) <> "<" Then
        ReadFill = Array(xlPatternSolid, Array("rgb", UCase$(Right$(s, 6)), 0#), Array("auto", "", 0#), Empty)
        Exit Function
    End If
    If FindTag(s, "gradientFill", 1) > 0 Then
        ReadFill = ReadGradient(s)
        Exit Function
    End If
    kind = XmlAttr(TagAt(s, FindTag(s, "patternFill", 1)), "patternType")
    If Len(kind) = 0 Or kind = "none" Then Exit Function
    p = PatternOf(kind)
    fg = ColorOf(TagAt(s, FindTag(s, "fgColor", 1)))
    bg = ColorOf(TagAt(s, FindTag(s, "bgColor", 1)))
    If p = xlPatternSolid Then
        ReadFill = Array(p, fg, bg, Empty)
    Else
        ReadFill = Array(p, bg, fg, Empty)
    End If
End Function

Private Function ReadGradient(ByVal s As String) As Variant
    Dim head As String, isPath As Boolean, stops() As Variant, n As Long
    Dim pos As Long, stopEnd As Long, stopXml As String
    head = TagAt(s, FindTag(s, "gradientFill", 1))
    isPath = (XmlAttr(head, "type") = "path")
    n = 0
    ReDim stops(0 To 0)
    pos = FindTag(s, "stop", 1)
    Do While pos > 0
        stopEnd = InStr(pos, s, "</stop>")
        If stopEnd = 0 Then stopEnd = Len(s) + 1
        stopXml = Mid$(s, pos, stopEnd - pos)
        ReDim Preserve stops(0 To n)
        stops(n) = Array(Val(XmlAttr(TagAt(stopXml, 1), "position")), ColorOf(TagAt(stopXml, FindTag(stopXml, "color", 1))))
        n = n + 1
        pos = FindTag(s, "stop", stopEnd)
    Loop
    If n = 0 Then stops = Array()
    ReadGradient = Array(IIf(isPath, xlPatternRectangularGradient, xlPatternLinearGradient), NoColor(), NoColor(), _
        Array(isPath, Val(XmlAttr(head, "degree")), Val(XmlAttr(head, "left")), Val(XmlAttr(head, "right")), _
        Val(XmlAttr(head, "top")), Val(XmlAttr(head, "bottom")), stops))
End Function

' An OOXML colour element (fgColor, bgColor, color) -> Array(source, value, tint).
Private Function ColorOf(ByVal tag As String) As Variant
    Dim theme As String, rgbText As String, indexed As String, auto As String, tint As Double
    ColorOf = NoColor()
    If Len(tag) = 0 Then Exit Function
    theme = XmlAttr(tag, "theme"): rgbText = XmlAttr(tag, "rgb")
    indexed = XmlAttr(tag, "indexed"): auto = LCase$(XmlAttr(tag, "auto"))
    tint = Val(XmlAttr(tag, "tint"))
    If Len(theme) > 0 Then
        ColorOf = Array("theme", CLng(Val(theme)) + 1, tint)
    ElseIf Len(rgbText) > 0 Then
        ColorOf = Array("rgb", UCase$(Right$(rgbText, 6)), tint)
    ElseIf Len(indexed) > 0 Then
        If Val(indexed) < 64 Then
            ColorOf = Array("index", PaletteIndex(CLng(Val(indexed))), tint)
        Else
            ColorOf = Array("auto", "", 0#)
        End If
    ElseIf auto = "1" Or auto = "true" Then
        ColorOf = Array("auto", "", 0#)
    End If
End Function

' OOXML indexed colours 8-63 are the palette's ColorIndex 1-56; 0-7 repeat the first eight.
Private Function PaletteIndex(ByVal indexed As Long) As Long
    If indexed < 8 Then PaletteIndex = indexed + 1 Else PaletteIndex = indexed - 7
End Function

' Description -> <fill> XML.
Private Function FillSpec(ByVal d As Variant) As String
    Dim p As Long, g As Variant, i As Long, s As String
    p = d(0)
    If p = xlPatternNone Then
        FillSpec = "<fill><patternFill/></fill>"
    ElseIf p = xlPatternLinearGradient Or p = xlPatternRectangularGradient Then
        g = d(3)
        If g(0) Then
            s = "<fill><gradientFill type=""path"" left=""" & Num(g(2)) & """ right=""" & Num(g(3)) _
                & """ top=""" & Num(g(4)) & """ bottom=""" & Num(g(5)) & """>"
        Else
            s = "<fill><gradientFill degree=""" & Num(g(1)) & """>"
        End If
        For i = 0 To UBound(g(6))
            s = s & "<stop position=""" & Num(g(6)(i)(0)) & """>" & ColorTag("color", g(6)(i)(1)) & "</stop>"
        Next i
        FillSpec = s & "</gradientFill></fill>"
    ElseIf p = xlPatternSolid Then
        FillSpec = "<fill><patternFill patternType=""solid"">" & ColorTag("fgColor", d(1)) _
            & ColorTag("bgColor", d(2)) & "</patternFill></fill>"
    Else
        FillSpec = "<fill><patternFill patternType=""" & PatternName(p) & """>" & ColorTag("fgColor", d(2)) _
            & ColorTag("bgColor", d(1)) & "</patternFill></fill>"
    End If
End Function

Private Function ColorTag(ByVal tag As String, ByVal c As Variant) As String
    Dim t As String
    If c(2) <> 0 Then t = " tint=""" & Num(c(2)) & """"
    Select Case c(0)
    Case "theme": ColorTag = "<" & tag & " theme=""" & (c(1) - 1) & """" & t & "/>"
    Case "rgb": ColorTag = "<" & tag & " rgb=""FF" & c(1) & """" & t & "/>"
    Case "index": ColorTag = "<" & tag & " indexed=""" & (c(1) + 7) & """" & t & "/>"
    Case "auto": ColorTag = "<" & tag & " indexed=""64""/>"
    End Select
End Function

' Whether the cell's fill is one of the marks' (what is visible: pattern and cell colour).
Private Function HasMarkFill(cell As Range, markFills As Variant) As Boolean
    Dim cur As Variant, f As Variant, m As Variant
    On Error GoTo unreadable
    cur = DescribeInterior(cell.Interior)
    For Each f In markFills
        m = ReadFill(CStr(f))
        If cur(0) = m(0) And cur(1)(0) = m(1)(0) And CStr(cur(1)(1)) = CStr(m(1)(1)) _
            And Abs(cur(1)(2) - m(1)(2)) < 0.000001 Then
            HasMarkFill = True
            Exit Function
        End If
    Next f
    Exit Function
unreadable:
    HasMarkFill = True  ' when in doubt, put the recorded fill back
End Function

' The <fill> of a cell as it is now.
Private Function FillXml(cell As Range) As String
    FillXml = FillSpec(DescribeInterior(cell.Interior))
End Function

' Put the fill a <fill> (or legacy code) describes on a cell; one unreadable record must not stop others.
Private Sub ApplyFill(cell As Range, spec As String)
    On Error Resume Next
    SetInterior cell, ReadFill(spec)
End Sub

Private Function DescribeInterior(it As Interior) As Variant
    Dim p As Long, g As Object, stops() As Variant, i As Long, cellColor As Variant, patternColor As Variant
    p = it.Pattern
    If p = xlPatternNone And it.ColorIndex = xlColorIndexNone Then
        DescribeInterior = Array(xlPatternNone, NoColor(), NoColor(), Empty)
    ElseIf p = xlPatternLinearGradient Or p = xlPatternRectangularGradient Then
        Set g = it.Gradient
        If g.ColorStops.Count = 0 Then
            stops = Array()
        Else
            ReDim stops(0 To g.ColorStops.Count - 1)
            For i = 1 To g.ColorStops.Count
                stops(i - 1) = Array(CDbl(g.ColorStops(i).Position), ColorOfObject(g.ColorStops(i), False))
            Next i
        End If
        If p = xlPatternLinearGradient Then
            DescribeInterior = Array(p, NoColor(), NoColor(), Array(False, CDbl(g.Degree), 0#, 0#, 0#, 0#, stops))
        Else
            DescribeInterior = Array(p, NoColor(), NoColor(), Array(True, 0#, CDbl(g.RectangleLeft), _
                CDbl(g.RectangleRight), CDbl(g.RectangleTop), CDbl(g.RectangleBottom), stops))
        End If
    Else
        If PatternName(p) = "" Then p = xlPatternSolid  ' xlPatternAutomatic, or a colour without a pattern
        If it.ColorIndex = xlColorIndexNone Then cellColor = NoColor() Else cellColor = ColorOfObject(it, False)
        If it.PatternColorIndex = xlColorIndexAutomatic Then
            patternColor = Array("auto", "", 0#)
        Else
            patternColor = ColorOfObject(it, True)
        End If
        DescribeInterior = Array(p, cellColor, patternColor, Empty)
    End If
End Function

' The colour of an Interior (its cell colour, or with ofPattern its pattern colour) or of a ColorStop.
' Excel raises an error when asked for the theme colour of a colour that is not one.
Private Function ColorOfObject(ByVal obj As Object, ByVal ofPattern As Boolean) As Variant
    Dim v As Variant, theme As Long, tint As Double, c As Long
    theme = -1
    On Error Resume Next
    If ofPattern Then v = obj.PatternThemeColor Else v = obj.ThemeColor
    If Err.Number = 0 And IsNumeric(v) Then
        If v >= 1 And v <= 12 Then theme = CLng(v)
    End If
    Err.Clear
    If ofPattern Then tint = obj.PatternTintAndShade Else tint = obj.TintAndShade
    If ofPattern Then c = obj.PatternColor Else c = obj.Color
    On Error GoTo 0
    If theme >= 1 Then
        ColorOfObject = Array("theme", theme, tint)
    Else
        ColorOfObject = Array("rgb", Hex2(c Mod 256) & Hex2((c \ 256) Mod 256) & Hex2((c \ 65536) Mod 256), tint)
    End If
End Function

Private Sub SetInterior(cell As Range, ByVal d As Variant)
    Dim it As Interior, p As Long, g As Object, i As Long, st As Object, stops As Variant
    Set it = cell.Interior
    it.Pattern = xlPatternNone  ' start from no fill: nothing of the previous colours stays
    p = d(0)
    If p = xlPatternNone Then
        it.ColorIndex = xlColorIndexNone
        Exit Sub
    End If
    it.Pattern = p
    If p = xlPatternLinearGradient Or p = xlPatternRectangularGradient Then
        Set g = it.Gradient
        If d(3)(0) Then
            g.RectangleLeft = d(3)(2)
            g.RectangleRight = d(3)(3)
            g.RectangleTop = d(3)(4)
            g.RectangleBottom = d(3)(5)
        Else
            g.Degree = d(3)(1)
        End If
        g.ColorStops.Clear
        stops = d(3)(6)
        For i = 0 To UBound(stops)
            Set st = g.ColorStops.Add(stops(i)(0))
            SetStopColor st, stops(i)(1), cell.Parent.Parent
        Next i
        Exit Sub
    End If
    SetCellColor it, d(1)
    SetPatternColor it, d(2)
End Sub

Private Sub SetCellColor(it As Interior, ByVal c As Variant)
    Select Case c(0)
    Case "theme": it.ThemeColor = c(1)
    Case "rgb": it.Color = RgbOf(CStr(c(1)))
    Case "index": it.ColorIndex = c(1)
    Case Else: Exit Sub
    End Select
    If c(2) <> 0 Then it.TintAndShade = c(2)
End Sub

Private Sub SetPatternColor(it As Interior, ByVal c As Variant)
    Select Case c(0)
    Case "theme": it.PatternThemeColor = c(1)
    Case "rgb": it.PatternColor = RgbOf(CStr(c(1)))
    Case "index": it.PatternColorIndex = c(1)
    Case Else
        it.PatternColorIndex = xlColorIndexAutomatic
        Exit Sub
    End Select
    If c(2) <> 0 Then it.PatternTintAndShade = c(2)
End Sub

Private Sub SetStopColor(ByVal st As Object, ByVal c As Variant, ByVal wb As Object)
    Select Case c(0)
    Case "theme": st.ThemeColor = c(1)
    Case "rgb": st.Color = RgbOf(CStr(c(1)))
    Case "index": st.Color = wb.Colors(c(1))
    Case Else: Exit Sub
    End Select
    If c(2) <> 0 Then st.TintAndShade = c(2)
End Sub

' ---- a parser for just these elements: <tagName attr="value" ...> ----------------------------------

' Position of the start tag <tagName ...> at or after start, or 0.
Private Function FindTag(ByVal xml As String, ByVal tagName As String, ByVal start As Long) As Long
    Dim p As Long, nextChar As String
    p = InStr(start, xml, "<" & tagName)
    Do While p > 0
        nextChar = Mid$(xml, p + Len(tagName) + 1, 1)
        If nextChar = " " Or nextChar = ">" Or nextChar = "/" Or nextChar = vbTab _
            Or nextChar = vbCr Or nextChar = vbLf Then
            FindTag = p
            Exit Function
        End If
        p = InStr(p + 1, xml, "<" & tagName)
    Loop
End Function

' The start tag beginning at position p ("" when p is 0), with white space made plain spaces.
Private Function TagAt(ByVal xml As String, ByVal p As Long) As String
    Dim e As Long
    If p = 0 Then Exit Function
    e = InStr(p, xml, ">")
    If e = 0 Then e = Len(xml)
    TagAt = Replace(Replace(Replace(Mid$(xml, p, e - p + 1), vbTab, " "), vbCr, " "), vbLf, " ")
End Function

' The value of attribute attrName in a start tag, or "".
Private Function XmlAttr(ByVal tag As String, ByVal attrName As String) As String
    Dim p As Long, q As String, e As Long
    p = InStr(1, tag, " " & attrName & "=")
    If p = 0 Then Exit Function
    p = p + Len(attrName) + 2
    q = Mid$(tag, p, 1)
    If q <> """" And q <> "'" Then Exit Function
    e = InStr(p + 1, tag, q)
    If e = 0 Then Exit Function
    XmlAttr = Mid$(tag, p + 1, e - p - 1)
End Function

' A number as XML writes it, whatever the system's decimal separator (Str$ always uses a point).
Private Function Num(ByVal x As Double) As String
    Dim s As String
    s = Trim$(Str$(x))
    If Left$(s, 1) = "." Then s = "0" & s
    If Left$(s, 2) = "-." Then s = "-0" & Mid$(s, 2)
    Num = s
End Function

Private Function Hex2(ByVal v As Long) As String
    Hex2 = Right$("0" & Hex$(v), 2)
End Function

' RRGGBB (or AARRGGBB) -> Excel's colour (a Long holding BGR).
Private Function RgbOf(ByVal code As String) As Long
    Dim h As String
    h = Right$(code, 6)
    RgbOf = RGB(CLng("&H" & Mid$(h, 1, 2)), CLng("&H" & Mid$(h, 3, 2)), CLng("&H" & Mid$(h, 5, 2)))
End Function

' ---- notes: only our part, after the mark, is ever added or removed --------------------------------

Private Function NoteMark() As String
    NoteMark = ChrW(&H3010) & "perfeval" & ChrW(&H3011)  ' the mark the command-line tool uses too
End Function

' An Excel 365 threaded comment is the user's conversation: the cell gets the fill only.
Private Function HasThreadedComment(cell As Range) As Boolean
    Dim o As Object, t As Object
    On Error Resume Next  ' CommentThreaded does not exist before Excel 365: late bound, an error there
    Set o = cell
    Set t = o.CommentThreaded
    HasThreadedComment = Not t Is Nothing
End Function

' Append ours after the user's note text (their text, its formatting and the note's author stay as they
' are), or start a note of our own.
Private Sub AddNote(cell As Range, text As String)
    Dim c As Comment, existing As String, ours As String
    If HasThreadedComment(cell) Then Exit Sub
    StripNote cell  ' a mark left by a run that could not be undone
    On Error Resume Next
    ours = NoteMark() & vbLf & text
    Set c = cell.Comment
    If c Is Nothing Then
        Set c = cell.AddComment(Left$(ours, 250))
        AppendNote c, 250, Mid$(ours, 251)
        c.Shape.Width = 270
        c.Shape.Height = 120
    Else
        existing = c.text
        If Len(TrimEnd(existing)) > 0 Then ours = vbLf & vbLf & ours
        AppendNote c, Len(existing), ours
        If c.Shape.Width < 270 Then c.Shape.Width = 270
        If c.Shape.Height < 120 Then c.Shape.Height = 120
    End If
End Sub

' Comment.Text takes at most 255 characters a call: insert in pieces after character `after`.
Private Sub AppendNote(c As Comment, ByVal after As Long, ByVal text As String)
    Dim pos As Long, piece As String
    pos = after + 1
    Do While Len(text) > 0
        piece = Left$(text, 250)
        c.text text:=piece, Start:=pos, Overwrite:=False
        pos = pos + Len(piece)
        text = Mid$(text, 251)
    Loop
End Sub

Private Sub StripNote(cell As Range)
    Dim c As Comment, t As String, p As Long, keep As Long
    If HasThreadedComment(cell) Then Exit Sub
    On Error Resume Next
    Set c = cell.Comment
    If c Is Nothing Then Exit Sub
    t = c.text
    p = InStr(1, t, NoteMark())
    If p = 0 Then Exit Sub
    keep = Len(TrimEnd(Left$(t, p - 1)))
    If keep = 0 Then
        c.Delete  ' the note was ours alone
        Exit Sub
    End If
    c.Shape.TextFrame.Characters(keep + 1, Len(t) - keep).Delete  ' the user's characters keep their format
    If c.text <> Left$(t, keep) Then ReplaceNoteText c, Left$(t, keep)  ' the note and its author stay
End Sub

Private Sub ReplaceNoteText(c As Comment, ByVal text As String)
    c.text text:=Left$(text, 250)  ' Start omitted: the old text goes
    AppendNote c, Len(Left$(text, 250)), Mid$(text, 251)
End Sub

Private Function TrimEnd(s As String) As String
    TrimEnd = s
    Do While Len(TrimEnd) > 0 And InStr(1, " " & vbCr & vbLf & vbTab, Right$(TrimEnd, 1)) > 0
        TrimEnd = Left$(TrimEnd, Len(TrimEnd) - 1)
    Loop
End Function

' ---- the output sheets' look, and their marks ----------------------------------------------------------

Private Sub FormatSheet(wb As Workbook, f As Variant)
    Dim ws As Worksheet, w As Variant, i As Long, c As Variant, lastRow As Long, lastCol As Long
    Dim r As Long, headerRow As Long, linkCol As Long
    Set ws = FindSheet(wb, CStr(f(0)))
    If ws Is Nothing Then Exit Sub
    If UBound(f) >= 10 Then
        If Len(f(10)) > 0 Then AddMark wb, ws, CStr(f(10))
    End If
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
        If headerRow > 0 Then .PrintTitleRows = "$1:$" & headerRow  ' column titles on every page
    End With
    If headerRow > 0 Then
        ws.Activate
        ActiveWindow.FreezePanes = False
        ActiveWindow.SplitColumn = 0
        ActiveWindow.SplitRow = headerRow
        ActiveWindow.FreezePanes = True
    End If
End Sub
